import { MemoryBus, MemoryHub, randomIds } from '@ballast/bus';
import { type Candle, type Clock, pattern, Subjects } from '@ballast/contracts';
import { CandleRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import type { CandlePage } from '@ballast/exchange';
import { createTestDatabase, recordedKlines, type TestDatabase, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandlePipeline, type CandleSource } from './candle-pipeline';
import { MarketDataMetrics } from './metrics';

// Real Binance 1h candles of BTCUSDT and ETHUSDT (binance-spot-ohlcv/<PAIR>-1h.csv.gz), from the start.
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };
let testDb: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  testDb = await createTestDatabase('md_pipeline');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
});

describe('the candle pipeline', () => {
  it('publishes one symbol’s candles while another symbol’s backfill is still fetching', async () => {
    const btc = recordedKlines('BTCUSDT', '1h', 6);
    const eth = recordedKlines('ETHUSDT', '1h', 6);
    const hub = new MemoryHub();
    const bus = new MemoryBus({ source: 'market-data', clock, ids: randomIds(clock), hub });
    const published: Candle[] = [];
    const listener = new MemoryBus({ source: 'test', clock, ids: randomIds(clock), hub });
    await listener.subscribe(pattern(Subjects.candle), (m) => void published.push(m.payload), {
      durable: 'test-candles',
    });
    // BTC's backfill hangs until released, as a slow venue's REST would.
    let release: (page: CandlePage) => void = () => {};
    const rest: CandleSource = {
      fetchCandles: (symbol) => {
        if (symbol !== 'BTC-USDT') throw new Error(`unexpected backfill of ${symbol}`);
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    };
    const pipeline = new CandlePipeline({
      venue: 'binance',
      timeframe: '1h',
      symbols: ['BTC-USDT', 'ETH-USDT'],
      repo: new CandleRepository(handle.db),
      rest,
      bus,
      clock,
      metrics: new MarketDataMetrics(new Registry()),
      log: silent,
      repair: { retryBaseMs: 100, retryCapMs: 1_000, maxHeld: 100 },
      random01: () => 0.5,
      status: () => {},
    });
    pipeline.onCandle(btc[0]!);
    pipeline.onCandle(btc[3]!); // two candles missing: a backfill that hangs
    for (const c of eth) pipeline.onCandle(c);
    await waitFor(() => published.filter((c) => c.symbol === 'ETH-USDT').length === 6, 'every ETH candle');
    expect(published.filter((c) => c.symbol === 'BTC-USDT').map((c) => c.openTime)).toEqual([
      btc[0]!.openTime,
    ]);

    release({ candles: btc.slice(1, 3), rejected: [] });
    await pipeline.idle();
    await waitFor(() => published.filter((c) => c.symbol === 'BTC-USDT').length === 4, 'BTC in order');
    expect(published.filter((c) => c.symbol === 'BTC-USDT').map((c) => c.openTime)).toEqual(
      btc.slice(0, 4).map((c) => c.openTime),
    );
    pipeline[Symbol.dispose]();
  });
});
