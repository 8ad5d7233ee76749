import type { Candle } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { CandleGap } from './candle-gap';
import { REPLAY_FROM, sourceCandles } from './testing/harness';

// Candles: binance-spot-ohlcv/BTCUSDT-1h.csv.gz from 2021-01-01 00:00 UTC (via the harness loader).
const [c0, c1, c2, c3, c4, c5] = sourceCandles(REPLAY_FROM, 6) as [
  Candle,
  Candle,
  Candle,
  Candle,
  Candle,
  Candle,
];

describe('CandleGap', () => {
  it('holds newer candles up to its bound, then lets them go and widens the range over them', () => {
    const gap = new CandleGap(c0.openTime, c1.openTime, 2);
    expect(gap.hold(c2)).toEqual({ outcome: 'held', released: 0 });
    expect(gap.hold(c3)).toEqual({ outcome: 'held', released: 0 });
    expect(gap.hold(c4)).toEqual({ outcome: 'widened', released: 3 });
    expect([gap.from, gap.to, gap.heldCount, gap.newest]).toEqual([c0.openTime, c4.openTime, 0, null]);
    gap.hold(c5);
    expect(gap.newest).toBe(c5.openTime);
  });

  it('merges REST and held candles once per open time, REST first, ascending, after the last published', () => {
    const gap = new CandleGap(c1.openTime, c3.openTime, 10);
    const streamed = { ...c3, volume: c3.volume + 1 };
    gap.hold(streamed);
    gap.hold(c4);
    const { candles, fromRest } = gap.merge([c3, c0, c2, c1], c0.openTime);
    expect(candles).toEqual([c1, c2, c3, c4]);
    expect(fromRest).toBe(3);
  });

  it('holds all of its range only when a held stream candle stands for every bar of it', () => {
    const step = c1.openTime - c0.openTime;
    const single = new CandleGap(c1.openTime, c1.openTime, 10);
    expect(single.holdsAll(step)).toBe(false);
    single.hold(c1);
    single.hold(c2);
    expect(single.holdsAll(step)).toBe(true);
    const wider = new CandleGap(c1.openTime, c3.openTime, 10);
    wider.hold(c1);
    wider.hold(c3);
    wider.hold(c4);
    expect(wider.holdsAll(step)).toBe(false);
  });
});
