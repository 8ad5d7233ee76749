import type { Candle } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { BarPath, replayPaths, watchedLevels } from './bar-path';

// Real Binance spot BTCUSDT 1h bars (binance-spot-ohlcv/BTCUSDT-1h.csv.gz), 2021-11-10 13:00 and 14:00 UTC.
const HOUR = 3_600_000;
const bar = (openTime: number, open: number, high: number, low: number, close: number): Candle => ({
  exchange: 'binance',
  symbol: 'BTC-USDT',
  timeframe: '1h',
  openTime,
  closeTime: openTime + HOUR - 1,
  open,
  high,
  low,
  close,
  volume: 1_000,
});
const wick = bar(1636549200000, 66396.98, 68000.0, 65888.0, 67983.45);
const next = bar(1636552800000, 67983.45, 69000.0, 67879.79, 68382.69);

function prints(path: BarPath, levels: number[] = []) {
  const out = [];
  for (let p = path.next(levels); p; p = path.next(levels)) out.push(p);
  return out;
}

describe('BarPath', () => {
  it('prints open, the nearer extreme, the other extreme and close, spread over the bar', () => {
    // The low (509 away) is nearer the open than the high (1,603 away): down first.
    expect(prints(new BarPath(wick))).toEqual([
      { price: 66396.98, time: wick.openTime, side: 'buy' },
      { price: 65888.0, time: wick.openTime + 1_199_999, side: 'sell' },
      { price: 68000.0, time: wick.openTime + 2_399_999, side: 'buy' },
      { price: 67983.45, time: wick.closeTime, side: 'sell' },
    ]);
    expect(prints(new BarPath(next)).map((p) => p.price)).toEqual([67983.45, 67879.79, 69000.0, 68382.69]);
  });

  it('prints a watched level where the path crosses it, in path order, at the time it gets there', () => {
    const out = prints(new BarPath(wick), [66188.58, 67500]);
    // Levels left in place are crossed again on the way back (a stop that sold is no longer watched).
    expect(out.map((p) => p.price)).toEqual([
      66396.98, 66188.58, 65888.0, 66188.58, 67500, 68000.0, 67983.45,
    ]);
    const times = out.map((p) => p.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // 208.40 of the 508.98 fall to the low, a third of an hour long.
    expect(out[1]!.time).toBe(wick.openTime + Math.floor(1_199_999 * (208.4 / 508.98)));
  });

  it('starts at the open whatever is watched: a stop the bar opened past prints at the open', () => {
    const out = prints(new BarPath(wick), [66500]);
    expect(out[0]).toEqual({ price: 66396.98, time: wick.openTime, side: 'buy' });
    // 66,500 is crossed again on the way up from the low.
    expect(out.map((p) => p.price)).toEqual([66396.98, 65888.0, 66500, 68000.0, 67983.45]);
  });

  it('takes the levels as they are at each print: a level moved after a print is where the path goes next', () => {
    const path = new BarPath(wick);
    expect(path.next([66300])?.price).toBe(66396.98);
    expect(path.next([66300])?.price).toBe(66300);
    // The stop moved below the low: the path runs to the low without stopping.
    expect(path.next([65000])?.price).toBe(65888.0);
    expect(path.peekTime([])).toBe(wick.openTime + 2_399_999);
  });
});

describe('replayPaths', () => {
  it('merges the prints of bars closing together in time order and reads the levels before each', async () => {
    const eth: Candle = { ...bar(wick.openTime, 4700, 4760, 4690, 4750), symbol: 'ETH-USDT' };
    const seen: string[] = [];
    let ethLevels: number[] = [4695];
    await replayPaths(
      [
        { path: new BarPath(wick), levels: async () => [] },
        { path: new BarPath(eth), levels: async () => ethLevels },
      ],
      async (candle, p) => {
        seen.push(`${candle.symbol} ${p.price}`);
        // The stop at 4,695 sold: nothing is watched on ETH any more.
        if (p.price === 4695) ethLevels = [];
      },
    );
    expect(seen).toEqual([
      'BTC-USDT 66396.98',
      'ETH-USDT 4700',
      'ETH-USDT 4695',
      'BTC-USDT 65888',
      'ETH-USDT 4690',
      'BTC-USDT 68000',
      'ETH-USDT 4760',
      'BTC-USDT 67983.45',
      'ETH-USDT 4750',
    ]);
  });
});

describe('watchedLevels', () => {
  it("is each open position's stop and next take-profit, none while closing or a take-profit is out", () => {
    const record = {
      symbol: 'BTC-USDT',
      qty: 0.02,
      stopPrice: 66188.58,
      ladder: { levels: [70000, 72000], taken: 1 },
      closing: null,
      takeProfit: null,
    };
    const records = [
      record,
      { ...record, stopPrice: 60000, takeProfit: { level: 1 } },
      { ...record, stopPrice: 50000, closing: { sentAt: 0 } },
      { ...record, symbol: 'ETH-USDT', stopPrice: 4000 },
    ] as unknown as Parameters<typeof watchedLevels>[0];
    expect(watchedLevels(records, 'BTC-USDT')).toEqual([66188.58, 72000, 60000]);
  });
});
