import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { type OptimizeResult, runOptimize } from './run-optimize';

// Real Binance spot 1h candles: BTCUSDT, January and February 2021 (binance-spot-ohlcv/BTCUSDT-1h.csv.gz).
let result: OptimizeResult;

beforeAll(async () => {
  result = await runOptimize({
    files: [join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz')],
    timeframe: '1h',
    from: Date.UTC(2021, 0, 1),
    to: Date.UTC(2021, 2, 1),
    seed: 3,
    grid: { stopAtr: [1.5, 3], lossStreak: ['default'] },
    windows: 3,
  });
}, 240_000);

describe('runOptimize over real BTCUSDT 1h candles (Jan–Feb 2021)', () => {
  it('reports one row per fold, sorted by out-of-sample expectancy, best first', () => {
    expect(result.folds).toHaveLength(2);
    const oos = result.folds.map((f) => f.oos.expectancy);
    expect(oos).toEqual([...oos].sort((a, b) => b - a));
    expect(result.grid).toHaveLength(2);
    expect(result.grid.some((g) => g.windows.some((w) => w.trades > 0))).toBe(true);
  });

  it('never lets an out-of-sample window overlap its in-sample window', () => {
    for (const f of result.folds) {
      expect(f.in_sample.to).toBeLessThanOrEqual(f.out_of_sample.from);
      expect(f.in_sample.from).toBeLessThan(f.in_sample.to);
    }
  });

  it('chooses, per fold, the grid point with the best expectancy over trades closed in sample and reports its figures', () => {
    for (const f of result.folds) {
      const best = Math.max(...result.grid.map((g) => g.in_sample[f.fold]!.expectancy));
      expect(f.is.expectancy).toBe(best);
      const point = result.grid.find((g) => g.params.stopAtr === f.params.stopAtr)!;
      expect(f.oos).toEqual(point.windows[f.fold + 1]);
    }
  });
});

describe('runOptimize over a range the candles only partly cover', () => {
  it('splits the windows over the candles replayed, not the range asked for: no fold judged on an empty window', async () => {
    // BTCUSDT-1h.csv.gz ends with the bar opening 2022-10-11 10:00; asked to the year's end.
    const partial = await runOptimize({
      files: [join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz')],
      timeframe: '1h',
      from: Date.UTC(2022, 7, 1),
      to: Date.UTC(2023, 0, 1),
      seed: 3,
      grid: { stopAtr: [2], lossStreak: ['default'] },
      windows: 4,
    });
    const end = Date.UTC(2022, 9, 11, 11);
    expect(partial.meta).toMatchObject({ from: Date.UTC(2022, 7, 1), to: end });
    expect(
      partial.folds
        .map((f) => f.out_of_sample.to)
        .sort((a, b) => a - b)
        .at(-1),
    ).toBe(end);
    for (const f of partial.folds) expect(f.out_of_sample.to).toBeLessThanOrEqual(end);
  }, 240_000);
});
