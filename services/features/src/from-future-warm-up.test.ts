import { parseBinanceKlineCsv } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger } from '@ballast/service-kit';
import { createTestDatabase, readDataFile, type TestDatabase } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startedFeatures } from './testing/started-features';

const BTC_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';

describe(`features warm-up past stored candles from the future (${BTC_FILE})`, () => {
  const btc = parseBinanceKlineCsv(readDataFile(BTC_FILE), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
  }).candles.slice(0, 222);
  // Hours 0–219, and edited copies of hours 220 and 221 with their times in microseconds, as
  // market-data stored them before it dropped such candles.
  const inMicros = btc.slice(220).map((c) => ({
    ...c,
    openTime: c.openTime * 1000,
    closeTime: c.closeTime * 1000,
  }));
  const metrics = new Registry();
  const warned: Array<Record<string, unknown>> = [];
  const log = createLogger({
    service: 'features-test',
    level: 'warn',
    destination: { write: (l: string) => void warned.push(JSON.parse(l)) },
  });
  let testDb: TestDatabase;
  let handle: DbHandle;
  let service: AsyncDisposable;

  beforeAll(async () => {
    testDb = await createTestDatabase('features_from_future');
    handle = await createDb({ url: testDb.url, poolSize: 3 });
    await migrate(handle.db);
    await new CandleRepository(handle.db).upsertMany([...btc.slice(0, 220), ...inMicros]);
    service = await startedFeatures({ db: handle.db, log, metrics, series: 'binance:BTC-USDT:1h' });
  }, 120_000);

  afterAll(async () => {
    await service?.[Symbol.asyncDispose]();
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('counts the stored candles it passed over, by reason, besides logging them', async () => {
    expect(warned.filter((l) => l.reason === 'from_future')).toMatchObject([
      { symbol: 'BTC-USDT', count: 2 },
    ]);
    const passedOver = await metrics.getSingleMetric('ballast_features_passed_over_total')?.get();
    expect(passedOver?.values).toEqual([{ labels: { reason: 'from_future' }, value: 2 }]);
  });
});
