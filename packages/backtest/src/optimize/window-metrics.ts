import type { BacktestResult } from '../backtest-result';
import { type BacktestMetrics, computeMetrics, exposurePct } from '../metrics';
import type { TimeWindow } from './walk-forward-plan';

/**
 * Which trades a window holds.
 * - `entered`: every trade entered in the window, with its whole pnl, even one that exits after the window
 *   ends. This is what the parameters realise when they are judged out of sample.
 * - `closed`: only trades entered in the window that also exit before it ends. In-sample ranking uses this
 *   basis: a trade still open at the window's end is settled by prices after the window, and those prices
 *   are the out-of-sample window's. The equity curve still marks such a trade at the window's last point.
 */
export type WindowBasis = 'entered' | 'closed';

/**
 * A run's metrics inside one window: its trades on the given basis and the equity points stamped in it,
 * measured from the equity the account had when the window opened.
 */
export function windowMetrics(
  result: BacktestResult,
  window: TimeWindow,
  stepMs: number,
  basis: WindowBasis = 'entered',
): BacktestMetrics {
  const trades = result.trades.filter(
    (t) =>
      t.entry_time >= window.from &&
      t.entry_time < window.to &&
      (basis === 'entered' || t.exit_time < window.to),
  );
  const before = result.equity.filter((p) => p.time <= window.from).at(-1);
  const inside = result.equity.filter((p) => p.time > window.from && p.time <= window.to);
  const opening = before?.equity ?? result.meta.initial_equity;
  const curve = [{ time: window.from, equity: opening, exposed: before?.exposed ?? false }, ...inside];
  // Exposure counts every trade held in the window, one entered before it too.
  return {
    ...computeMetrics(trades, curve, opening, stepMs),
    exposure_pct: exposurePct(result.trades, curve),
  };
}
