import type { AgentsConfig } from '@ballast/agents';
import { type Bus, type BusObserver, deleteStreamsAt, NatsBus } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type Envelope,
  type FeatureVector,
  pattern,
  type SignalCandidate,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { type Decide, VirtualClock } from '@ballast/core';
import { createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger, type Logger, SystemClock } from '@ballast/service-kit';
import { createTestDatabase, natsUrl, type TestDatabase, uniqueName, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { signalsConfigSchema } from '../config';
import { startSignalsService } from '../service';
import { deliveredAtBarClose, publishingClock } from './bar-clock';
import { RECORDED_START } from './recorded-vectors';

export interface SignalsFixtureOptions {
  /** Database, stream and subject names are derived from it, so test files run in parallel. */
  name: string;
  /** Sees the service's own bus traffic (outcomes of its publishes and deliveries). */
  observer?: BusObserver;
  /** Who the test connection publishes as (default features). */
  testSource?: string;
  /** Replaces the agents (and with them the reflection loop). */
  decide?: Decide;
  /** The agents' configuration (default: every agent on the rules). */
  agents?: AgentsConfig;
  /** The service's environment beyond the defaults (e.g. SIGNALS_HINDSIGHT_BARS). */
  env?: Record<string, string>;
  /** Wraps the service's bus (inject a publish failure). */
  wrapBus?: (bus: Bus) => Bus;
  log?: Logger;
  /**
   * Runs the service on the system clock, the recorded bars replayed years after they closed (set
   * SIGNALS_MAX_VECTOR_AGE_MS to have them proposed). Default: a virtual clock that each delivered vector
   * moves to its bar's close, as live.
   */
  wallClock?: boolean;
  /** Runs on the migrated database before the service starts (seed rows, inject failures). */
  seed?: (db: DbHandle['db']) => Promise<void>;
}

/**
 * The signals service on the real NATS and PostgreSQL, as features, the gateway and risk see it: a
 * second connection publishes feature vectors and collects every candidate and decision.
 */
export interface SignalsFixture extends AsyncDisposable {
  readonly db: DbHandle['db'];
  readonly metrics: Registry;
  /** The service's clock (a VirtualClock at the last delivered bar's close, unless `wallClock`). */
  readonly clock: Clock;
  /** The same clock when it is the bar clock, to move it as a test's scenario needs (an outage). */
  readonly bars: VirtualClock | undefined;
  /** Publishes as another service would (features, gateway, risk). */
  readonly testBus: NatsBus;
  readonly candidates: Envelope<SignalCandidate>[];
  readonly decisions: Envelope<SignalDecision>[];
  /** How each delivery of a feature vector to the service ended, in order. */
  readonly vectorOutcomes: Array<'ok' | 'error'>;
  /** Resolves once `count` vector deliveries ended well (those that failed are delivered again). */
  vectorsHandled(count: number): Promise<void>;
  readonly alerts: Alert[];
  /** Publishes the vectors on feat, in order; resolves with their envelopes. */
  publishVectors(vectors: readonly FeatureVector[]): Promise<Envelope<FeatureVector>[]>;
  /**
   * Stops the service and starts a new one on the same bus and database, as a process restart does; on
   * the bar clock the restart takes a second.
   */
  restart(): Promise<void>;
}

export async function startSignalsFixture(options: SignalsFixtureOptions): Promise<SignalsFixture> {
  const servers = await natsUrl();
  const bars = options.wallClock ? undefined : new VirtualClock(RECORDED_START);
  const clock: Clock = bars ?? new SystemClock();
  const atBarClose = (bus: Bus): Bus => (bars ? deliveredAtBarClose(bus, bars) : bus);
  const prefix = `${uniqueName(options.name)}.`;
  const opened: AsyncDisposable[] = [];
  const vectorOutcomes: Array<'ok' | 'error'> = [];
  const observer: BusObserver = {
    message: (e) => options.observer?.message(e),
    handled: (e) => {
      if (e.family === Subjects.features.name) vectorOutcomes.push(e.outcome);
      options.observer?.handled(e);
    },
  };
  const dispose = async () => {
    for (const d of opened.reverse()) await d[Symbol.asyncDispose]();
  };
  try {
    const testDb: TestDatabase = await createTestDatabase(options.name);
    opened.push({ [Symbol.asyncDispose]: () => testDb.drop() });
    const handle = await createDb({ url: testDb.url, poolSize: 2 });
    opened.push({ [Symbol.asyncDispose]: () => handle.db.destroy() });
    await migrate(handle.db);
    await options.seed?.(handle.db);
    const serviceBus = await NatsBus.connect({
      source: 'signals',
      clock,
      servers,
      prefix,
      observer,
    });
    opened.push({
      [Symbol.asyncDispose]: async () => {
        await serviceBus.drain();
        await deleteStreamsAt(servers, serviceBus.naming);
      },
    });
    await serviceBus.ensureStreams();
    const emitting = publishingClock(clock);
    const testBus = await NatsBus.connect({
      source: options.testSource ?? 'features',
      clock: emitting,
      servers,
      prefix,
    });
    opened.push({ [Symbol.asyncDispose]: () => testBus.drain() });
    const candidates: Envelope<SignalCandidate>[] = [];
    const decisions: Envelope<SignalDecision>[] = [];
    const alerts: Alert[] = [];
    await testBus.subscribe(pattern(Subjects.signalCandidate), (m) => void candidates.push(m), {
      durable: 'cand',
    });
    await testBus.subscribe(pattern(Subjects.signalDecision), (m) => void decisions.push(m), {
      durable: 'dec',
    });
    await testBus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
      durable: 'alerts',
    });
    let metrics = new Registry();
    const start = () =>
      startSignalsService({
        bus: atBarClose(options.wrapBus?.(serviceBus) ?? serviceBus),
        db: handle.db,
        clock,
        log: options.log ?? createLogger({ service: 'signals-test', level: 'silent' }),
        metrics,
        config: signalsConfigSchema.parse(options.env ?? {}),
        ...(options.decide ? { decide: options.decide } : {}),
        ...(options.agents ? { agents: options.agents } : {}),
      });
    let service = await start();
    opened.push({ [Symbol.asyncDispose]: () => service[Symbol.asyncDispose]() });
    const publishVectors = async (vectors: readonly FeatureVector[]) => {
      const sent: Envelope<FeatureVector>[] = [];
      for (const v of vectors)
        sent.push(
          await emitting.publishing(v, () =>
            testBus.publish(
              subject(Subjects.features, { exchange: v.exchange, symbol: v.symbol, timeframe: v.timeframe }),
              v,
            ),
          ),
        );
      return sent;
    };
    const restart = async () => {
      await service[Symbol.asyncDispose]();
      bars?.advance(1_000);
      metrics = new Registry();
      service = await start();
    };
    return {
      db: handle.db,
      clock,
      bars,
      get metrics() {
        return metrics;
      },
      testBus,
      candidates,
      decisions,
      vectorOutcomes,
      vectorsHandled: async (count) => {
        await waitFor(
          () => vectorOutcomes.filter((o) => o === 'ok').length >= count,
          `${count} vectors handled`,
          {
            timeoutMs: 20_000,
          },
        );
      },
      alerts,
      publishVectors,
      restart,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
