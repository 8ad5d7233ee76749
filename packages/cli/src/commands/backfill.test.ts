import { parseBinanceKlineCsv } from '@ballast/core';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { CcxtRest, REST_SETTLE_MS } from '@ballast/exchange';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import { SystemClock } from '@ballast/service-kit';
import { createTestDatabase, readDataFile, sharedDataDir, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackfillProgress, backfillCandles, parseRequest } from './backfill';

// The simulator serves binance-spot-ohlcv/{BTC,ETH}USDT-1h.csv.gz over /api/v3/klines. The range
// includes the real 33-hour exchange outage from 2018-02-08 00:00, which must stay a gap.
const FILES = {
  'BTC-USDT': 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz',
  'ETH-USDT': 'binance-spot-ohlcv/ETHUSDT-1h.csv.gz',
};
const SINCE = Date.UTC(2018, 1, 1);
const UNTIL = Date.UTC(2018, 3, 1);

let sim: ExchangeSim;
let database: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  sim = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      framesFile: null,
      candles: [
        { symbol: 'BTCUSDT', interval: '1h', file: FILES['BTC-USDT'] },
        { symbol: 'ETHUSDT', interval: '1h', file: FILES['ETH-USDT'] },
      ],
    },
  });
  database = await createTestDatabase('cli_backfill');
  handle = await createDb({ url: database.url, poolSize: 2 });
  await migrate(handle.db);
});

afterAll(async () => {
  await handle.db.destroy();
  await database.drop();
  await sim.close();
});

function expectedRows(symbol: keyof typeof FILES) {
  const { candles } = parseBinanceKlineCsv(readDataFile(FILES[symbol]), {
    exchange: 'binance',
    symbol,
    timeframe: '1h',
  });
  return candles.filter((c) => c.openTime >= SINCE && c.openTime <= UNTIL);
}

describe('backfillCandles', () => {
  it('stores every recorded candle of the range over paginated REST, twice without new rows', async () => {
    const clock = new SystemClock();
    const source = CcxtRest.create(
      { exchangeId: 'binance', baseUrl: sim.restUrl },
      { clock, random01: () => 0.5, minIntervalMs: 10 },
    );
    const request = parseRequest(
      {
        exchange: 'binance',
        symbols: 'BTC/USDT,ETH/USDT',
        timeframe: '1h',
        since: '2018-02-01',
        until: String(UNTIL),
      },
      clock,
    );
    const progress: BackfillProgress[] = [];
    const summaries = await backfillCandles(request, {
      db: handle.db,
      source,
      onProgress: (p) => progress.push(p),
    });

    const btc = expectedRows('BTC-USDT');
    const eth = expectedRows('ETH-USDT');
    // 1,417 hourly slots minus the real outages: more than one 1,000-candle page.
    expect(btc.length).toBeGreaterThan(1_000);
    expect(btc.length).toBeLessThan(1_417);
    expect(summaries).toEqual([
      { symbol: 'BTC-USDT', fetched: btc.length, stored: btc.length, rejected: 0 },
      { symbol: 'ETH-USDT', fetched: eth.length, stored: eth.length, rejected: 0 },
    ]);
    expect(progress.filter((p) => p.symbol === 'BTC-USDT').map((p) => p.done)).toEqual([1_000, 1_417]);
    const repo = new CandleRepository(handle.db);
    const key = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' as const };
    const stored = await repo.range({ ...key, fromOpenTime: SINCE, toOpenTime: UNTIL + 1 });
    expect(stored.map((c) => c.openTime)).toEqual(btc.map((c) => c.openTime));
    expect(stored.map((c) => c.close)).toEqual(btc.map((c) => c.close));

    await backfillCandles(request, { db: handle.db, source });
    expect(await repo.count(key)).toBe(btc.length);
  });

  it('stores no bar closed less than REST_SETTLE_MS before the clock: the venue may still be forming it', async () => {
    const H = 3_600_000;
    // Three recorded bars after the range above; our clock 1 ms short of the last one settling.
    const [since, until] = [UNTIL + 10 * H, UNTIL + 12 * H];
    let now = until + H + REST_SETTLE_MS - 1;
    const source = CcxtRest.create(
      { exchangeId: 'binance', baseUrl: sim.restUrl },
      { clock: { now: () => now }, random01: () => 0.5, minIntervalMs: 10 },
    );
    const request = { exchange: 'binance', symbols: ['BTC-USDT'], timeframe: '1h' as const, since, until };
    const repo = new CandleRepository(handle.db);
    const stored = async () =>
      (
        await repo.range({
          exchange: 'binance',
          symbol: 'BTC-USDT',
          timeframe: '1h',
          fromOpenTime: since,
          toOpenTime: until + 1,
        })
      ).map((c) => c.openTime);

    expect(await backfillCandles(request, { db: handle.db, source })).toEqual([
      { symbol: 'BTC-USDT', fetched: 2, stored: 2, rejected: 0 },
    ]);
    expect(await stored()).toEqual([since, since + H]);
    // Settled: the next run takes it.
    now += 1;
    await backfillCandles(request, { db: handle.db, source });
    expect(await stored()).toEqual([since, since + H, until]);
  });

  it('refuses a bad time range or timeframe with a clear message', () => {
    const clock = new SystemClock();
    const base = { exchange: 'binance', symbols: 'BTC/USDT', timeframe: '1h', since: '2024-01-01' };
    expect(() => parseRequest({ ...base, timeframe: '2h' }, clock)).toThrow('invalid --timeframe "2h"');
    expect(() => parseRequest({ ...base, since: 'yesterday' }, clock)).toThrow('invalid --since "yesterday"');
    expect(() => parseRequest({ ...base, until: '2023-01-01' }, clock)).toThrow('--until is before --since');
  });
});
