import { recordedKlines } from '@ballast/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChaikinMoneyFlow, moneyFlowVolume } from './chaikin-money-flow';
import type { OhlcvBar } from './ohlcv-bar';

/** A bar of a market that traded nothing, as Binance emits it for a halted or illiquid market. */
const idleBar = (price: number): OhlcvBar => ({
  open: price,
  high: price,
  low: price,
  close: price,
  volume: 0,
});

describe('ChaikinMoneyFlow after a window that traded nothing', () => {
  // Real Binance spot BTCUSDT 1h candles (the first 500 recorded, August–September 2017), then 20 bars
  // with no trade: the recording has no such stretch (one zero-volume hour at most), so those are made.
  // The running sums came back to ~4e-14, not 0, and their ratio read as strong money flow.
  const traded = recordedKlines('BTCUSDT', '1h', 500);
  const price = traded.at(-1)!.close;

  it('is 0, with a volume mean of 0, once the window holds only bars that traded nothing', () => {
    const cmf = new ChaikinMoneyFlow(20);
    for (const c of traded) cmf.push(c);
    for (let i = 0; i < 19; i++) cmf.push(idleBar(price));
    // The window still holds one traded bar: its own money flow over its own volume.
    expect(cmf.value).toBeCloseTo(moneyFlowVolume(traded.at(-1)!) / traded.at(-1)!.volume, 9);
    expect(cmf.preview(idleBar(price))).toBe(0);
    expect(cmf.previewVolumeMean(0)).toBe(0);
    cmf.push(idleBar(price));
    expect(cmf.value).toBe(0);
    expect(cmf.volumeMean).toBe(0);
  });

  it('starts again from exact sums when trading resumes: the first bar back is its own money flow', () => {
    const cmf = new ChaikinMoneyFlow(20);
    for (const c of traded) cmf.push(c);
    for (let i = 0; i < 25; i++) cmf.push(idleBar(price));
    const back = traded[100]!;
    cmf.push(back);
    expect(cmf.value).toBe(moneyFlowVolume(back) / back.volume);
    expect(cmf.volumeMean).toBe(back.volume / 20);
  });

  it('stays within [−1, 1] whatever the volumes: traded bars, then a stretch that traded nothing, then trades', () => {
    const bar = fc.record({
      low: fc.double({ min: 1, max: 100, noNaN: true }),
      range: fc.double({ min: 0, max: 10, noNaN: true }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      // Volumes as venues print them: a few decimals, some bars with none.
      volume: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 1e8 }).map((v) => v / 1000),
      ),
    });
    const toBar = (b: { low: number; range: number; at: number; volume: number }): OhlcvBar => ({
      open: b.low,
      high: b.low + b.range,
      low: b.low,
      close: b.low + b.range * b.at,
      volume: b.volume,
    });
    fc.assert(
      fc.property(
        fc.array(bar, { minLength: 20, maxLength: 120 }),
        fc.integer({ min: 20, max: 40 }),
        fc.array(bar, { maxLength: 30 }),
        (before, idle, after) => {
          const cmf = new ChaikinMoneyFlow(20);
          const bars = [
            ...before.map(toBar),
            ...Array.from({ length: idle }, () => idleBar(50)),
            ...after.map(toBar),
          ];
          for (const [i, b] of bars.entries()) {
            const value = cmf.update(b);
            if (value === null) continue;
            expect(Math.abs(value)).toBeLessThanOrEqual(1);
            const window = bars.slice(i - 19, i + 1);
            if (window.every((w) => w.volume === 0)) {
              expect(value).toBe(0);
              expect(cmf.volumeMean).toBe(0);
            }
          }
        },
      ),
      { seed: 20261125, numRuns: 300 },
    );
  });
});
