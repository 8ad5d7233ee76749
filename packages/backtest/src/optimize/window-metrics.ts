import type { BacktestResult } from '../backtest-result';
import { type BacktestMetrics, computeMetrics } from '../metrics';
import type { TimeWindow } from './walk-forward-plan';

/**
 * A run's metrics inside one window: the trades entered in it and the equity points stamped in it,
 * measured from the equity the account had when the window opened.
 */
export function windowMetrics(result: BacktestResult, window: TimeWindow, stepMs: number): BacktestMetrics {
  const trades = result.trades.filter((t) => t.entry_time >= window.from && t.entry_time < window.to);
  const before = result.equity.filter((p) => p.time <= window.from).at(-1);
  const inside = result.equity.filter((p) => p.time > window.from && p.time <= window.to);
  const opening = before?.equity ?? result.meta.initial_equity;
  const curve = [{ time: window.from, equity: opening, exposed: before?.exposed ?? false }, ...inside];
  return computeMetrics(trades, curve, opening, stepMs);
}
