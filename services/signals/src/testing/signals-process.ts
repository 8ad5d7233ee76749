import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import {
  type Envelope,
  type FeatureVector,
  pattern,
  type SignalCandidate,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { SystemClock } from '@ballast/service-kit';
import {
  createTestDatabase,
  natsUrl,
  type PipelineWatch,
  RULES_AGENTS_ENV,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
  uniqueName,
  watchPipeline,
} from '@ballast/testkit';
import { afterAll, beforeAll } from 'vitest';

/** Recorded bars are replayed years after they closed: the vector age and queue limits are set past that. */
export const YEARS = String(100 * 365 * 86_400_000);

/**
 * The signals service as a child process (its own main) on the real NATS and PostgreSQL, under its own
 * subject prefix and database, with a connection publishing as features and collecting every candidate
 * and decision: for tests that kill and restart it.
 */
export interface SignalsProcessStack {
  readonly bus: NatsBus;
  readonly pipeline: PipelineWatch;
  readonly testDb: TestDatabase;
  readonly candidates: Envelope<SignalCandidate>[];
  readonly decisions: Envelope<SignalDecision>[];
  /** Starts a signals process on the stack's universe, with `env` over the test defaults. */
  start(env?: Record<string, string>): Promise<ServiceProcess>;
  /** Publishes vectors as features does, one after the other. */
  publish(vectors: readonly FeatureVector[]): Promise<void>;
  close(): Promise<void>;
}

export async function signalsProcessStack(
  name: string,
  universe: readonly string[],
): Promise<SignalsProcessStack> {
  const servers = await natsUrl();
  const prefix = `${uniqueName(name)}.`;
  const testDb = await createTestDatabase(name);
  const bus = await NatsBus.connect({ source: 'features', clock: new SystemClock(), servers, prefix });
  await bus.ensureStreams();
  const candidates: Envelope<SignalCandidate>[] = [];
  const decisions: Envelope<SignalDecision>[] = [];
  await bus.subscribe(pattern(Subjects.signalCandidate), (m) => void candidates.push(m), { durable: 'cand' });
  await bus.subscribe(pattern(Subjects.signalDecision), (m) => void decisions.push(m), { durable: 'dec' });
  const pipeline = await watchPipeline(servers, prefix);
  const children: ServiceProcess[] = [];
  return {
    bus,
    pipeline,
    testDb,
    candidates,
    decisions,
    start: async (env = {}) => {
      const child = await startServiceProcess(
        'signals',
        {
          NATS_URL: servers,
          DATABASE_URL: testDb.url,
          BUS_PREFIX: prefix,
          LOG_LEVEL: 'info',
          SIGNALS_UNIVERSE: universe.join(','),
          SIGNALS_MAX_VECTOR_AGE_MS: YEARS,
          SIGNALS_MAX_QUEUE_MS: YEARS,
          SIGNALS_HOUR_STATS_WAIT_MS: '0',
          ...RULES_AGENTS_ENV,
          ...env,
        },
        { readyTimeoutMs: 180_000 },
      );
      children.push(child);
      return child;
    },
    publish: async (vectors) => {
      for (const v of vectors)
        await bus.publish(
          subject(Subjects.features, { exchange: v.exchange, symbol: v.symbol, timeframe: v.timeframe }),
          v,
        );
    },
    close: async () => {
      for (const child of children) await child.stop(5_000);
      await pipeline.close();
      await bus.drain();
      await deleteStreamsAt(servers, bus.naming);
      await testDb.drop();
    },
  };
}

/** A stack opened before the enclosing describe's tests and closed after them; read it inside a test. */
export function processStackPerDescribe(
  name: string,
  universe: readonly string[],
): () => SignalsProcessStack {
  let stack: SignalsProcessStack | undefined;
  beforeAll(async () => {
    stack = await signalsProcessStack(name, universe);
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error(`the ${name} stack did not start`);
    return stack;
  };
}
