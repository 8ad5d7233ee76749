import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from '../backtest-config';
import { BacktestError } from '../backtest-error';
import type { BacktestResult, BacktestTrade } from '../backtest-result';
import { applyParams, expandGrid, LOSS_STREAK_VARIANTS, steppedRange } from './parameter-grid';
import {
  type GridPointOutcome,
  gridPointOutcome,
  selectWalkForward,
  type WindowFigures,
} from './run-optimize';
import { planWalkForward, splitWindows } from './walk-forward-plan';
import { windowMetrics } from './window-metrics';

const HOUR = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);

describe('parameter grid', () => {
  it('steps 1.5 to 3.5 by 0.5 without float drift', () => {
    expect(steppedRange(1.5, 3.5, 0.5)).toEqual([1.5, 2, 2.5, 3, 3.5]);
    expect(steppedRange(0.1, 0.3, 0.1)).toEqual([0.1, 0.2, 0.3]);
  });

  it('refuses a range that cannot be stepped', () => {
    expect(() => steppedRange(2, 1, 0.5)).toThrow(BacktestError);
    expect(() => steppedRange(1, 2, 0)).toThrow('bad range 1–2 step 0');
  });

  it('expands every combination in order and refuses unknown variants', () => {
    expect(expandGrid({ stopAtr: [2, 3], lossStreak: ['default', 'off'] })).toEqual([
      { stopAtr: 2, lossStreak: 'default' },
      { stopAtr: 2, lossStreak: 'off' },
      { stopAtr: 3, lossStreak: 'default' },
      { stopAtr: 3, lossStreak: 'off' },
    ]);
    expect(() => expandGrid({ stopAtr: [2], lossStreak: ['lax' as 'off'] })).toThrow(
      'unknown loss-streak variant lax; known: off, default, strict',
    );
  });

  it('writes the grid point over the base config and keeps the rest of it', () => {
    const base = {
      slippageBps: 7,
      strategies: { levels: { takeProfitAtr: [4] } },
      riskLimits: { riskPerTrade: 0.02 },
    };
    const config = parseBacktestConfig(applyParams(base, { stopAtr: 1.5, lossStreak: 'strict' }));
    expect(config.slippageBps).toBe(7);
    expect(config.strategies.levels).toEqual({ stopAtr: 1.5, takeProfitAtr: [4] });
    expect(config.riskLimits?.riskPerTrade).toBe(0.02);
    expect(config.riskLimits?.lossStreakPauses).toEqual(LOSS_STREAK_VARIANTS.strict);
  });
});

describe('walk-forward plan', () => {
  it('splits into whole-step windows, the last taking the remainder', () => {
    expect(splitWindows(T0, T0 + 10 * HOUR, 3, HOUR)).toEqual([
      { from: T0, to: T0 + 3 * HOUR },
      { from: T0 + 3 * HOUR, to: T0 + 6 * HOUR },
      { from: T0 + 6 * HOUR, to: T0 + 10 * HOUR },
    ]);
  });

  it('pairs each window with the next: out-of-sample starts where in-sample ends, never overlapping', () => {
    const folds = planWalkForward(T0, T0 + 100 * HOUR, 4, HOUR);
    expect(folds).toHaveLength(3);
    for (const f of folds) {
      expect(f.outOfSample.from).toBe(f.inSample.to);
      expect(f.inSample.from).toBeLessThan(f.inSample.to);
      expect(f.outOfSample.from).toBeLessThan(f.outOfSample.to);
    }
    expect(folds.at(-1)!.outOfSample.to).toBe(T0 + 100 * HOUR);
  });

  it('refuses a range that ends before it starts as empty, not as too short for its windows', () => {
    expect(() => planWalkForward(T0 + 31 * 24 * HOUR, T0, 4, HOUR)).toThrow(
      'the range is empty: to 2021-01-01 00:00 is not after from 2021-02-01 00:00',
    );
  });

  it('refuses fewer than two windows or a range shorter than one step each', () => {
    expect(() => planWalkForward(T0, T0 + 10 * HOUR, 1, HOUR)).toThrow('at least 2 windows');
    expect(() => planWalkForward(T0, T0 + 2 * HOUR, 3, HOUR)).toThrow('range too short');
  });
});

const trade = (entry: number, pnl: number, exit = entry + HOUR): BacktestTrade => ({
  symbol: 'BTC-USDT',
  side: 'long',
  strategy: 'trend_pullback',
  entry_time: entry,
  exit_time: exit,
  qty: 1,
  entry_price: 100,
  exit_price: 100 + pnl,
  fees: 0,
  pnl,
  exit_reason: 'stop',
});

describe('windowMetrics', () => {
  it('counts trades entered in the window and measures from the equity it opened with', () => {
    const result = {
      meta: { initial_equity: 1000 },
      trades: [trade(T0, 10), trade(T0 + 2 * HOUR, -4), trade(T0 + 3 * HOUR, 6)],
      equity: [
        { time: T0, equity: 1000, exposed: false },
        { time: T0 + HOUR, equity: 1010, exposed: false },
        { time: T0 + 2 * HOUR, equity: 1010, exposed: true },
        { time: T0 + 3 * HOUR, equity: 1006, exposed: true },
        { time: T0 + 4 * HOUR, equity: 1012, exposed: false },
      ],
    } as unknown as BacktestResult;
    const m = windowMetrics(result, { from: T0 + HOUR, to: T0 + 3 * HOUR }, HOUR);
    expect(m.trades).toBe(1);
    expect(m.expectancy).toBe(-4);
    expect(m.return_pct).toBeCloseTo((1006 / 1010 - 1) * 100, 12);
  });

  it('counts the time held in the window of a trade entered before it', () => {
    const result = {
      meta: { initial_equity: 1000 },
      trades: [trade(T0, 5, T0 + 3 * HOUR)],
      equity: [0, 1, 2, 3, 4].map((h) => ({ time: T0 + h * HOUR, equity: 1000, exposed: h > 0 && h < 3 })),
    } as unknown as BacktestResult;
    expect(windowMetrics(result, { from: T0 + 2 * HOUR, to: T0 + 4 * HOUR }, HOUR).exposure_pct).toBe(50);
  });

  it('on the closed basis leaves out a trade entered in the window that exits after it ends', () => {
    const result = {
      meta: { initial_equity: 1000 },
      trades: [
        trade(T0, 3, T0 + 2 * HOUR),
        trade(T0 + 2 * HOUR, 50, T0 + 4 * HOUR - 1),
        trade(T0 + 2 * HOUR, 9, T0 + 4 * HOUR),
      ],
      equity: [
        { time: T0, equity: 1000, exposed: false },
        { time: T0 + 4 * HOUR, equity: 1062, exposed: false },
      ],
    } as unknown as BacktestResult;
    const window = { from: T0, to: T0 + 4 * HOUR };
    expect(windowMetrics(result, window, HOUR).trades).toBe(3);
    const closed = windowMetrics(result, window, HOUR, 'closed');
    expect(closed.trades).toBe(2);
    expect(closed.net_pnl).toBe(53);
  });
});

const point = (stopAtr: number, windows: WindowFigures[]): GridPointOutcome => ({
  params: { stopAtr, lossStreak: 'default' },
  windows,
  in_sample: windows,
});

const fig = (expectancy: number): WindowFigures => ({
  trades: 5,
  expectancy,
  net_pnl: expectancy * 5,
  sharpe: null,
  max_drawdown_pct: 0,
  win_rate: 0.5,
});

describe('selectWalkForward', () => {
  it('picks the in-sample winner per fold, judges it on the next window, sorts by out-of-sample expectancy', () => {
    const grid: GridPointOutcome[] = [
      point(2, [fig(5), fig(-1), fig(9)]),
      point(3, [fig(1), fig(4), fig(2)]),
    ];
    const folds = planWalkForward(T0, T0 + 9 * HOUR, 3, HOUR);
    const rows = selectWalkForward(grid, folds);
    expect(rows.map((r) => [r.fold, r.params.stopAtr, r.is.expectancy, r.oos.expectancy])).toEqual([
      [1, 3, 4, 2],
      [0, 2, 5, -1],
    ]);
  });

  it('breaks an in-sample tie in grid order', () => {
    const grid: GridPointOutcome[] = [point(2, [fig(1), fig(0)]), point(3, [fig(1), fig(7)])];
    const [row] = selectWalkForward(grid, planWalkForward(T0, T0 + 2 * HOUR, 2, HOUR));
    expect(row?.params.stopAtr).toBe(2);
  });

  it('does not rank a grid point in sample on a trade that the out-of-sample window settles', () => {
    const folds = planWalkForward(T0, T0 + 8 * HOUR, 2, HOUR);
    const split = [folds[0]!.inSample, folds[0]!.outOfSample];
    const run = (trades: BacktestTrade[]) =>
      ({
        meta: { initial_equity: 1000 },
        trades,
        equity: [{ time: T0, equity: 1000, exposed: false }],
      }) as unknown as BacktestResult;
    // A enters in the last in-sample hour and gains 40 on out-of-sample prices; B gains 2 inside its window.
    const a = gridPointOutcome(
      { stopAtr: 2, lossStreak: 'default' },
      run([trade(T0 + 3 * HOUR, 40, T0 + 6 * HOUR)]),
      split,
      HOUR,
    );
    const b = gridPointOutcome(
      { stopAtr: 3, lossStreak: 'default' },
      run([trade(T0 + HOUR, 2)]),
      split,
      HOUR,
    );
    const [row] = selectWalkForward([a, b], folds);
    expect(row?.params.stopAtr).toBe(3);
    expect(row?.is).toMatchObject({ trades: 1, expectancy: 2 });
    expect(a.windows[0]).toMatchObject({ trades: 1, expectancy: 40 });
  });
});
