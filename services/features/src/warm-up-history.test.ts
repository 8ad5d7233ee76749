import { type Candle, TIMEFRAME_MS } from '@ballast/contracts';
import { FeatureEngine, parseBinanceKlineCsv, warmUpWindow } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createLogger } from '@ballast/service-kit';
import { createTestDatabase, readDataFile, type TestDatabase } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startedFeatures } from './testing/started-features';

const BTC_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
const HOUR = TIMEFRAME_MS['1h'];
// Binance has no BTCUSDT 1h candle from 2018-02-08 01:00 to 2018-02-09 09:00 (33 hours, its longest outage).
const OUTAGE_FROM = Date.UTC(2018, 1, 8, 1);
const OUTAGE_TO = Date.UTC(2018, 1, 9, 10);
// The newest stored candle: 9,000 hours after the outage, so it lies inside the last 9,528 slots.
const NEWEST = OUTAGE_TO + 9_000 * HOUR;

describe(`features start-up after a venue outage (${BTC_FILE}, 2018-02 → 2019-02)`, () => {
  const wanted = new FeatureEngine().warmUpBars('1h');
  // What `ballast backfill --warm-up` fetches and counts when it runs just after NEWEST closed.
  const window = warmUpWindow('1h', NEWEST + 2 * HOUR - 1, wanted);
  const history: Candle[] = parseBinanceKlineCsv(readDataFile(BTC_FILE), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
  }).candles.filter((c) => c.openTime >= window.since && c.openTime <= window.until);
  const warned: Array<Record<string, unknown>> = [];
  const infos: Array<Record<string, unknown>> = [];
  const log = createLogger({
    service: 'features-test',
    level: 'info',
    destination: {
      write: (l: string) => {
        const line = JSON.parse(l);
        (line.level >= 40 ? warned : infos).push(line);
      },
    },
  });
  let testDb: TestDatabase;
  let handle: DbHandle;
  let service: AsyncDisposable;

  beforeAll(async () => {
    testDb = await createTestDatabase('features_warm_up_history');
    handle = await createDb({ url: testDb.url, poolSize: 3 });
    await migrate(handle.db);
    // A complete backfill: every candle the venue has in the warm-up window, its outages excepted.
    await new CandleRepository(handle.db).upsertMany(history);
    service = await startedFeatures({
      db: handle.db,
      log,
      metrics: new Registry(),
      series: 'binance:BTC-USDT:1h',
    });
  }, 120_000);

  afterAll(async () => {
    await service?.[Symbol.asyncDispose]();
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('holds the whole budget in the backfilled window though the last 9,528 slots miss the outage', () => {
    expect(window.until).toBe(NEWEST);
    expect(history.at(-1)?.openTime).toBe(NEWEST);
    expect(history.length).toBeGreaterThanOrEqual(wanted);
    const lastSlots = history.filter((c) => c.openTime > NEWEST - wanted * HOUR);
    expect(lastSlots.length).toBeLessThan(wanted);
    expect(history.some((c) => c.openTime >= OUTAGE_FROM && c.openTime < OUTAGE_TO)).toBe(false);
    expect(history.some((c) => c.openTime === OUTAGE_FROM - HOUR)).toBe(true);
  });

  it('replays the newest 9,528 stored candles and does not warn short_warm_up', () => {
    expect(warned.filter((l) => l.reason === 'short_warm_up')).toEqual([]);
    const warmed = infos.find((l) => l.msg === 'warmed up from stored candles');
    expect(warmed).toMatchObject({ symbol: 'BTC-USDT', replayed: wanted });
  });
});
