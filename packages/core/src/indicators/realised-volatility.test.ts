import { recordedKlines, stillBarsAfter } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { VolatilityRegimeTracker } from '../context';
import { RealisedVolatility } from './realised-volatility';

describe('RealisedVolatility after a window of closes that did not move', () => {
  // Real Binance spot BTCUSDT 1h candles (the first 12,000 recorded, to 2019-01), then hours with no trade:
  // the recording has no such stretch (one zero-volume hour at most), so those are made from its last close.
  const traded = recordedKlines('BTCUSDT', '1h', 12_000);
  const last = traded.at(-1)!;
  const idle = stillBarsAfter(last, 120);

  it('is exactly 0 once its window holds only returns of 0, and the preview says so a bar before', () => {
    const rv = new RealisedVolatility(20, 8_760);
    for (const c of traded) rv.push(c.close);
    for (const c of idle.slice(0, 19)) rv.push(c.close);
    expect(rv.value).toBeGreaterThan(0);
    expect(rv.preview(last.close)).toBe(0);
    rv.push(idle[19]!.close);
    expect(rv.value).toBe(0);
  });

  it('starts again from an exact window when the price moves: the first move back is its own spread', () => {
    const rv = new RealisedVolatility(20);
    for (const c of traded) rv.push(c.close);
    for (const c of idle.slice(0, 25)) rv.push(c.close);
    const back = last.close * 1.01;
    const r = Math.log(back / last.close);
    const mean = r / 20;
    const expected = Math.sqrt((19 * mean * mean + (r - mean) ** 2) / 19);
    expect(rv.preview(back)).toBeCloseTo(expected, 15);
    rv.push(back);
    expect(rv.value).toBeCloseTo(expected, 15);
  });

  it('gives the volatility regime no ratio of residues: low while the long window still moved, then normal', () => {
    const tracker = new VolatilityRegimeTracker();
    for (const c of traded) tracker.update(c.close);
    const levels = idle.map((c) => tracker.update(c.close)!);
    // 20 still hours: the recent window is flat, the long one is not.
    expect(levels[19]).toMatchObject({ ratio: 0, level: 'low', positionScale: 1 });
    // 100 still hours: both windows are flat (no scale to compare with: normal, full size). The residues
    // read 1.28, `high`: entries halved and stops widened in a market that had not moved for four days.
    expect(levels.slice(99).every((v) => v.ratio === 1 && v.level === 'normal')).toBe(true);
  });
});
