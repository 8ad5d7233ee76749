import { type Bus, deleteStreamsAt, NatsBus } from '@ballast/bus';
import { Subjects, subject } from '@ballast/contracts';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger, SystemClock } from '@ballast/service-kit';
import {
  createTestDatabase,
  natsUrl,
  recordedKlines,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { featuresConfigSchema } from './config';
import { startFeaturesService } from './service';

const FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const btc = recordedKlines('BTCUSDT', '1h', 251);
const series = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' } as const;

describe(`features service start-up failure and series health over NATS and PostgreSQL (${FILE})`, () => {
  const prefix = `${uniqueName('features_fail')}.`;
  const clock = new SystemClock();
  let testDb: TestDatabase;
  let handle: DbHandle;
  let serviceBus: NatsBus;
  let testBus: NatsBus;

  beforeAll(async () => {
    const servers = await natsUrl();
    testDb = await createTestDatabase('features_start_failure');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    await new CandleRepository(handle.db).upsertMany(btc.slice(0, 49));
    serviceBus = await NatsBus.connect({ source: 'features', clock, servers, prefix });
    await serviceBus.ensureStreams();
    testBus = await NatsBus.connect({ source: 'market-data', clock, servers, prefix });
  }, 60_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await serviceBus?.drain();
    await testBus?.drain();
    if (serviceBus) await deleteStreamsAt(await natsUrl(), serviceBus.naming);
    await handle?.db.destroy();
    await testDb?.drop();
    // Bounded: a start-up that hangs leaves its delivery in flight, and the drain would wait for it.
  }, 15_000);

  it('fails start-up when warm-up fails while a candle is being delivered (does not hang)', async () => {
    let delivered = false;
    const bus = deliveriesSeen(serviceBus, () => {
      delivered = true;
    });
    // The database fails during warm-up, after a candle has reached the service's handler.
    vi.spyOn(CandleRepository.prototype, 'range').mockImplementationOnce(async () => {
      await testBus.publish(subject(Subjects.candle, series), btc[49]!, { eventTime: btc[49]!.closeTime });
      await waitFor(() => delivered, 'the candle in the handler');
      throw new Error('database connection reset');
    });
    const config = featuresConfigSchema.parse({
      FEATURES_SERIES: 'binance:BTC-USDT:1h',
      FEATURES_DURABLE: 'features',
    });
    const log = createLogger({ service: 'features-test', level: 'silent' });
    const starting = startFeaturesService({
      bus,
      db: handle.db,
      log,
      metrics: new Registry(),
      config,
      clock,
    });
    const outcome = await Promise.race([
      starting.then(
        () => 'started',
        (err: Error) => err.message,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still pending after 5 s'), 5_000)),
    ]);
    expect(outcome).toBe('database connection reset');
  }, 20_000);

  it('exposes each series as warming, then ready, and counts a non-finite indicator apart', async () => {
    vi.restoreAllMocks();
    const repository = new CandleRepository(handle.db);
    const metrics = new Registry();
    const config = featuresConfigSchema.parse({
      FEATURES_SERIES: 'binance:BTC-USDT:1h',
      FEATURES_DURABLE: 'features-health',
    });
    const log = createLogger({ service: 'features-test', level: 'silent' });
    const service = await startFeaturesService({
      bus: serviceBus,
      db: handle.db,
      log,
      metrics,
      config,
      clock,
    });
    const state = async () => {
      const values = (await metrics.getSingleMetric('ballast_features_series_state')?.get())?.values ?? [];
      return values.find((v) => v.value === 1 && v.labels.symbol === series.symbol)?.labels.state;
    };
    const rejected = async (reason: string) => {
      const values =
        (await metrics.getSingleMetric('ballast_features_rejections_total')?.get())?.values ?? [];
      return values.find((v) => v.labels.reason === reason)?.value ?? 0;
    };
    const storeAndPublish = async (c: (typeof btc)[number]) => {
      await repository.upsertMany([c]);
      await testBus.publish(subject(Subjects.candle, series), c, { eventTime: c.closeTime });
    };
    try {
      // 50 candles: far from the 200 a vector needs.
      await storeAndPublish(btc[49]!);
      await waitFor(async () => (await state()) === 'warming', 'BTC warming');
      for (const c of btc.slice(50, 250)) await storeAndPublish(c);
      await waitFor(async () => (await state()) === 'ready', 'BTC ready', { timeoutMs: 30_000 });
      // Finite prices whose squares overflow: the Bollinger variance comes out NaN.
      const huge = 1e200;
      const c = btc[250]!;
      const overflowing = {
        ...c,
        open: c.open * huge,
        high: c.high * huge,
        low: c.low * huge,
        close: c.close * huge,
      };
      await testBus.publish(subject(Subjects.candle, series), overflowing, { eventTime: c.closeTime });
      await waitFor(async () => (await rejected('non_finite')) === 1, 'a non_finite rejection');
      // A series whose candles give no vector is no longer ready; its last vector says since when.
      expect(await state()).toBe('rejected');
      expect(await lastVectorSeconds(metrics)).toBe((btc[249]!.closeTime + 1) / 1000);
    } finally {
      await service[Symbol.asyncDispose]();
    }
    // Restarted: warm from the 250 stored candles alone, it reads ready before any live candle.
    const again = new Registry();
    const restarted = await startFeaturesService({
      bus: serviceBus,
      db: handle.db,
      log,
      metrics: again,
      config,
      clock,
    });
    try {
      const values = (await again.getSingleMetric('ballast_features_series_state')?.get())?.values ?? [];
      expect(values.find((v) => v.value === 1)?.labels.state).toBe('ready');
      expect(await lastVectorSeconds(again)).toBe((btc[249]!.closeTime + 1) / 1000);
    } finally {
      await restarted[Symbol.asyncDispose]();
    }
  }, 60_000);
});

async function lastVectorSeconds(metrics: Registry): Promise<number | undefined> {
  const values =
    (await metrics.getSingleMetric('ballast_features_last_vector_time_seconds')?.get())?.values ?? [];
  return values[0]?.value;
}

/** The bus, telling when one of its subscriptions' handlers is entered. */
function deliveriesSeen(bus: Bus, onDelivery: () => void): Bus {
  return {
    source: bus.source,
    publish: (s, p, o) => bus.publish(s, p, o),
    publishEnvelope: (s, e) => bus.publishEnvelope(s, e),
    subscribe: (on, handler, options) =>
      bus.subscribe(
        on,
        (message, delivery) => {
          onDelivery();
          return handler(message, delivery);
        },
        options,
      ),
    request: (e, r, o) => bus.request(e, r, o),
    serve: (e, h) => bus.serve(e, h),
    isHealthy: () => bus.isHealthy(),
    drain: () => bus.drain(),
  };
}
