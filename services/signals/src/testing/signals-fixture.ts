import { type BusObserver, deleteStreamsAt, NatsBus } from '@ballast/bus';
import {
  type Envelope,
  type FeatureVector,
  pattern,
  type SignalCandidate,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import type { Decide } from '@ballast/core';
import { createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger, type Logger, SystemClock } from '@ballast/service-kit';
import { createTestDatabase, natsUrl, type TestDatabase, uniqueName } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { signalsConfigSchema } from '../config';
import { startSignalsService } from '../service';

export interface SignalsFixtureOptions {
  /** Database, stream and subject names are derived from it, so test files run in parallel. */
  name: string;
  /** Sees the service's own bus traffic (outcomes of its publishes and deliveries). */
  observer?: BusObserver;
  /** Who the test connection publishes as (default features). */
  testSource?: string;
  /** Replaces the agents (and with them the reflection loop). */
  decide?: Decide;
  log?: Logger;
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
  /** Publishes as another service would (features, gateway, risk). */
  readonly testBus: NatsBus;
  readonly candidates: Envelope<SignalCandidate>[];
  readonly decisions: Envelope<SignalDecision>[];
  /** Publishes the vectors on feat, in order; resolves with their envelopes. */
  publishVectors(vectors: readonly FeatureVector[]): Promise<Envelope<FeatureVector>[]>;
}

export async function startSignalsFixture(options: SignalsFixtureOptions): Promise<SignalsFixture> {
  const servers = await natsUrl();
  const clock = new SystemClock();
  const prefix = `${uniqueName(options.name)}.`;
  const opened: AsyncDisposable[] = [];
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
      observer: options.observer,
    });
    opened.push({
      [Symbol.asyncDispose]: async () => {
        await serviceBus.drain();
        await deleteStreamsAt(servers, serviceBus.naming);
      },
    });
    await serviceBus.ensureStreams();
    const testBus = await NatsBus.connect({
      source: options.testSource ?? 'features',
      clock,
      servers,
      prefix,
    });
    opened.push({ [Symbol.asyncDispose]: () => testBus.drain() });
    const candidates: Envelope<SignalCandidate>[] = [];
    const decisions: Envelope<SignalDecision>[] = [];
    await testBus.subscribe(pattern(Subjects.signalCandidate), (m) => void candidates.push(m), {
      durable: 'cand',
    });
    await testBus.subscribe(pattern(Subjects.signalDecision), (m) => void decisions.push(m), {
      durable: 'dec',
    });
    const metrics = new Registry();
    opened.push(
      await startSignalsService({
        bus: serviceBus,
        db: handle.db,
        log: options.log ?? createLogger({ service: 'signals-test', level: 'silent' }),
        metrics,
        config: signalsConfigSchema.parse({}),
        ...(options.decide ? { decide: options.decide } : {}),
      }),
    );
    const publishVectors = async (vectors: readonly FeatureVector[]) => {
      const sent: Envelope<FeatureVector>[] = [];
      for (const v of vectors)
        sent.push(
          await testBus.publish(
            subject(Subjects.features, { exchange: v.exchange, symbol: v.symbol, timeframe: v.timeframe }),
            v,
          ),
        );
      return sent;
    };
    return {
      db: handle.db,
      metrics,
      testBus,
      candidates,
      decisions,
      publishVectors,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
