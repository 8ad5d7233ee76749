import { TIMEFRAME_MS } from '@ballast/contracts';
import { BacktestError } from '../backtest-error';
import type { BacktestResult } from '../backtest-result';
import type { BacktestMetrics } from '../metrics';
import { type RunBacktestOptions, runBacktest } from '../run-backtest';
import { applyParams, expandGrid, type GridSpec, type ParamSet } from './parameter-grid';
import { planWalkForward, type TimeWindow, type WalkForwardFold } from './walk-forward-plan';
import { windowMetrics } from './window-metrics';

/** The figures the optimiser reports for one window. */
export interface WindowFigures {
  trades: number;
  expectancy: number;
  net_pnl: number;
  sharpe: number | null;
  max_drawdown_pct: number;
  win_rate: number;
}

/** One walk-forward step: the parameters that won in-sample and how they did out of sample. */
export interface FoldOutcome {
  fold: number;
  in_sample: TimeWindow;
  out_of_sample: TimeWindow;
  params: ParamSet;
  is: WindowFigures;
  oos: WindowFigures;
}

/**
 * Every grid point's figures per window (window i is fold i's in-sample window and fold i − 1's
 * out-of-sample window). `windows` holds the trades entered in each window with their whole pnl (what
 * out-of-sample judging reads); `in_sample` only those also closed inside it (what ranking reads).
 */
export interface GridPointOutcome {
  params: ParamSet;
  windows: WindowFigures[];
  in_sample: WindowFigures[];
}

export interface OptimizeResult {
  meta: {
    symbols: string[];
    timeframe: string;
    /** The candles replayed, first open to last close (the windows split this, not the range asked for). */
    from: number;
    to: number;
    windows: number;
    grid: GridSpec;
    selection: string;
    method: string;
    /** The market rules every run rounded orders with (as in a backtest's meta). */
    market_rules: BacktestResult['meta']['market_rules'];
  };
  /** Sorted by out-of-sample expectancy, best first. */
  folds: FoldOutcome[];
  grid: GridPointOutcome[];
  /** All out-of-sample trades of the chosen parameters together. */
  oos_total: { trades: number; net_pnl: number; expectancy: number };
}

export interface OptimizeOptions extends Omit<RunBacktestOptions, 'onProgress' | 'from' | 'to'> {
  from: number;
  to: number;
  grid: GridSpec;
  /** Consecutive windows; folds = windows − 1. */
  windows: number;
  onProgress?: (point: number, points: number, done: number, total: number) => void;
}

const METHOD =
  'each grid point is backtested once over the whole range, and the windows split the candles it replayed (strategies do not learn, so a window of that ' +
  'run equals a run of that window apart from state carried over its start: equity, an open position, the ' +
  'loss streak); a window holds the trades entered in it and the equity points stamped in it; in-sample ' +
  'ranking counts only the trades that also closed inside the window, so a trade settled by out-of-sample ' +
  'prices does not choose the parameters judged on them';

function figures(m: BacktestMetrics): WindowFigures {
  return {
    trades: m.trades,
    expectancy: m.expectancy,
    net_pnl: m.net_pnl,
    sharpe: m.sharpe,
    max_drawdown_pct: m.max_drawdown_pct,
    win_rate: m.win_rate,
  };
}

/** One grid point's run measured per window, on both bases (see GridPointOutcome). */
export function gridPointOutcome(
  params: ParamSet,
  result: BacktestResult,
  split: readonly TimeWindow[],
  stepMs: number,
): GridPointOutcome {
  return {
    params,
    windows: split.map((w) => figures(windowMetrics(result, w, stepMs))),
    in_sample: split.map((w) => figures(windowMetrics(result, w, stepMs, 'closed'))),
  };
}

/**
 * The grid point with the best in-sample expectancy, counting only trades closed inside the window; ties go
 * to the earlier point in grid order.
 */
export function bestInSample(grid: readonly GridPointOutcome[], fold: number): GridPointOutcome {
  let best = grid[0];
  for (const point of grid)
    if (best && point.in_sample[fold]!.expectancy > best.in_sample[fold]!.expectancy) best = point;
  if (!best) throw new BacktestError('bad_config', 'the parameter grid is empty');
  return best;
}

/** Picks the in-sample winner for each fold and sorts the folds by out-of-sample expectancy, best first. */
export function selectWalkForward(
  grid: readonly GridPointOutcome[],
  folds: readonly WalkForwardFold[],
): FoldOutcome[] {
  const outcomes = folds.map((f) => {
    const best = bestInSample(grid, f.index);
    return {
      fold: f.index,
      in_sample: f.inSample,
      out_of_sample: f.outOfSample,
      params: best.params,
      is: best.in_sample[f.index]!,
      oos: best.windows[f.index + 1]!,
    };
  });
  return outcomes.sort((a, b) => b.oos.expectancy - a.oos.expectancy || a.fold - b.fold);
}

function oosTotal(folds: readonly FoldOutcome[]): OptimizeResult['oos_total'] {
  const trades = folds.reduce((s, f) => s + f.oos.trades, 0);
  const net = folds.reduce((s, f) => s + f.oos.net_pnl, 0);
  return { trades, net_pnl: net, expectancy: trades === 0 ? 0 : net / trades };
}

/** The folds over [from, to), and the windows they are measured on (each fold's in-sample, then the last out-of-sample). */
function splitPlan(
  from: number,
  to: number,
  windows: number,
  stepMs: number,
): { folds: WalkForwardFold[]; split: TimeWindow[] } {
  const folds = planWalkForward(from, to, windows, stepMs);
  return { folds, split: [...folds.map((f) => f.inSample), folds.at(-1)!.outOfSample] };
}

/** Walk-forward optimisation over a parameter grid; deterministic for a given seed. */
export async function runOptimize(options: OptimizeOptions): Promise<OptimizeResult> {
  const { grid: spec, windows, onProgress, ...run } = options;
  const stepMs = TIMEFRAME_MS[run.timeframe];
  const points = expandGrid(spec);
  // Refused before any run: too few windows, or a range too short for them.
  planWalkForward(run.from, run.to, windows, stepMs);
  const grid: GridPointOutcome[] = [];
  let replayed: Pick<BacktestResult['meta'], 'symbols' | 'market_rules' | 'from' | 'to'> | undefined;
  let plan: { folds: WalkForwardFold[]; split: TimeWindow[] } | undefined;
  for (const [i, params] of points.entries()) {
    const result = await runBacktest({
      ...run,
      config: applyParams(run.config ?? {}, params),
      onProgress: (done, total) => onProgress?.(i + 1, points.length, done, total),
    });
    replayed = result.meta;
    // Windows over the candles replayed (every point replays the same), not the range asked for: a range
    // reaching past the files split into windows without a candle, folds chosen and judged on nothing.
    plan ??= splitPlan(result.meta.from, result.meta.to, windows, stepMs);
    grid.push(gridPointOutcome(params, result, plan.split, stepMs));
  }
  if (!plan || !replayed) throw new BacktestError('bad_config', 'the parameter grid is empty');
  const selected = selectWalkForward(grid, plan.folds);
  return {
    meta: {
      symbols: replayed.symbols,
      timeframe: run.timeframe,
      from: replayed.from,
      to: replayed.to,
      windows,
      grid: spec,
      selection:
        'highest in-sample expectancy per fold, over trades closed inside the window; ties to the earlier grid point',
      method: METHOD,
      market_rules: replayed.market_rules,
    },
    folds: selected,
    grid,
    oos_total: oosTotal(selected),
  };
}
