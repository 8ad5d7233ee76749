import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import type { Candle, Envelope, FeatureVector } from '@ballast/contracts';
import { pattern, Subjects, subject } from '@ballast/contracts';
import { featureIndicators, IndicatorSet, parseBinanceKlineCsv, periodsPerYear } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger, SystemClock } from '@ballast/service-kit';
import {
  createTestDatabase,
  natsUrl,
  readDataFile,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featuresConfigSchema } from './config';
import { startFeaturesService } from './service';

const FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const candles = parseBinanceKlineCsv(readDataFile(FILE), {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  timeframe: '1h',
}).candles.slice(0, 300);
const STORED = 150;

describe(`features service over NATS and PostgreSQL (${FILE})`, () => {
  const prefix = `${uniqueName('features')}.`;
  const clock = new SystemClock();
  const log = createLogger({ service: 'features-test', level: 'silent' });
  let testDb: TestDatabase;
  let handle: DbHandle;
  let serviceBus: NatsBus;
  let testBus: NatsBus;
  let service: AsyncDisposable;
  const received: Envelope<FeatureVector>[] = [];

  beforeAll(async () => {
    const servers = await natsUrl();
    testDb = await createTestDatabase('features_service');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    await new CandleRepository(handle.db).upsertMany(candles.slice(0, STORED));
    serviceBus = await NatsBus.connect({ source: 'features', clock, servers, prefix });
    await serviceBus.ensureStreams();
    testBus = await NatsBus.connect({ source: 'market-data', clock, servers, prefix });
    await testBus.subscribe(pattern(Subjects.features), (m) => void received.push(m), {
      durable: 'observer',
    });
    const config = featuresConfigSchema.parse({ FEATURES_SERIES: 'binance:BTC-USDT:1h' });
    service = await startFeaturesService({
      bus: serviceBus,
      db: handle.db,
      log,
      metrics: new Registry(),
      config,
    });
  });

  afterAll(async () => {
    await service?.[Symbol.asyncDispose]();
    await serviceBus?.drain();
    await testBus?.drain();
    await deleteStreamsAt(await natsUrl(), serviceBus.naming);
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('warms up from stored candles and publishes IndicatorSet-exact vectors only once EMA200 is ready', async () => {
    const live = candles.slice(STORED);
    for (const c of live)
      await testBus.publish(subject(Subjects.candle, seriesOf(c)), c, { eventTime: c.closeTime });
    await waitFor(() => received.length >= candles.length - 199, 'a feature vector for every warm hour', {
      timeoutMs: 20_000,
    });
    const direct = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    const expected = candles.map((c) => ({
      openTime: c.openTime,
      indicators: featureIndicators(direct.update(c)),
    }));
    // 150 stored + 150 live hours: the 200th hour (index 199) is the first with EMA200.
    expect(received.map((m) => m.payload.openTime)).toEqual(expected.slice(199).map((e) => e.openTime));
    received.forEach((m, i) => {
      expect(m.payload.indicators).toEqual(expected[199 + i]!.indicators);
      expect(m.eventTime).toBe(candles[199 + i]!.closeTime);
    });
    expect(received.at(-1)!.payload.higherTimeframe?.timeframe).toBe('4h');
  });
});

function seriesOf(c: Candle) {
  return { exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe };
}
