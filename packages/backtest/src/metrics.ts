import type { BacktestTrade, EquityPoint } from './backtest-result';

/** The summary of a run; every figure comes from the trade list or the equity curve alone. */
export interface BacktestMetrics {
  net_pnl: number;
  return_pct: number;
  cagr_pct: number;
  /** Annualised from per-step equity returns; null with fewer than two returns or no variance. */
  sharpe: number | null;
  sortino: number | null;
  max_drawdown_pct: number;
  /** Share of all trades that made money after fees (a break-even trade is not a win). */
  win_rate: number;
  /** Mean pnl of the winning trades (pnl > 0); 0 when none. */
  avg_win: number;
  /** Mean pnl of the losing trades (pnl < 0, a negative figure); 0 when none. A break-even is not one. */
  avg_loss: number;
  expectancy: number;
  /** Sum of the winning trades' pnl. */
  gross_profit: number;
  /** Sum of the losing trades' pnl, as a positive amount. */
  gross_loss: number;
  /**
   * `gross_profit / gross_loss`; null when nothing was lost (`gross_loss` 0), where the ratio has no
   * value: then `gross_profit` above 0 means only wins (an unbounded factor), 0 means no trade won or lost.
   */
  profit_factor: number | null;
  exposure_pct: number;
  trades: number;
  fees: number;
}

const YEAR_MS = 365.25 * 86_400_000;

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : sum(xs) / xs.length);

/**
 * A win made money after fees, a loss lost money after fees; a trade with pnl exactly 0 is neither, so it
 * does not pull `avg_loss` toward 0. The figures count money net of fees, so a trade that only lost its
 * fees is a loss here, though the loss-streak pause treats it as a breakeven (ADR 21).
 */
export function splitWins(trades: readonly Pick<BacktestTrade, 'pnl'>[]): {
  wins: number[];
  losses: number[];
} {
  const wins: number[] = [];
  const losses: number[] = [];
  for (const t of trades) {
    if (t.pnl > 0) wins.push(t.pnl);
    else if (t.pnl < 0) losses.push(t.pnl);
  }
  return { wins, losses };
}

/** Simple returns between consecutive equity points. */
export function stepReturns(curve: readonly EquityPoint[]): number[] {
  const returns: number[] = [];
  for (let i = 1; i < curve.length; i++) returns.push(curve[i]!.equity / curve[i - 1]!.equity - 1);
  return returns;
}

/** Largest fall from a running peak, in percent of that peak. */
export function maxDrawdownPct(curve: readonly EquityPoint[]): number {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (const p of curve) {
    peak = Math.max(peak, p.equity);
    worst = Math.max(worst, ((peak - p.equity) / peak) * 100);
  }
  return worst;
}

/** Mean over sample standard deviation of step returns, scaled by √(steps per year). */
export function sharpeRatio(returns: readonly number[], stepsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const m = mean(returns);
  const variance = sum(returns.map((r) => (r - m) ** 2)) / (returns.length - 1);
  return variance > 0 ? (m / Math.sqrt(variance)) * Math.sqrt(stepsPerYear) : null;
}

/** Mean over downside deviation (root mean square of the negative returns, over all steps). */
export function sortinoRatio(returns: readonly number[], stepsPerYear: number): number | null {
  if (returns.length < 2) return null;
  const downside = Math.sqrt(sum(returns.map((r) => Math.min(r, 0) ** 2)) / returns.length);
  return downside > 0 ? (mean(returns) / downside) * Math.sqrt(stepsPerYear) : null;
}

/**
 * Percent of the curve's span with at least one trade open, from its entry fill to its exit fill. Read
 * from the trades, not from the curve's `exposed` flags: those are sampled once per step, after it, so
 * they miss a trade opened and closed inside one step, the step a trade exits in, and the end-of-data
 * close (the last point is stamped after it), and the opening point counts as a flat step.
 */
export function exposurePct(trades: readonly BacktestTrade[], curve: readonly EquityPoint[]): number {
  const start = curve[0]?.time;
  const end = curve.at(-1)?.time;
  if (start === undefined || end === undefined || end <= start) return 0;
  const spans = trades
    .map((t) => [Math.max(t.entry_time, start), Math.min(t.exit_time, end)] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let held = 0;
  let reached = start;
  for (const [from, to] of spans) {
    if (to <= reached) continue;
    held += to - Math.max(from, reached);
    reached = to;
  }
  return (held / (end - start)) * 100;
}

/** Compound annual growth over the curve's time span. */
export function cagrPct(curve: readonly EquityPoint[]): number {
  const first = curve[0];
  const last = curve.at(-1);
  if (!first || !last || last.time <= first.time) return 0;
  const years = (last.time - first.time) / YEAR_MS;
  return ((last.equity / first.equity) ** (1 / years) - 1) * 100;
}

/**
 * Every metric of a run. `stepMs` is the replay step (the timeframe), which annualises the ratios;
 * `initialEquity` is the account before the first step.
 */
export function computeMetrics(
  trades: readonly BacktestTrade[],
  curve: readonly EquityPoint[],
  initialEquity: number,
  stepMs: number,
): BacktestMetrics {
  const { wins, losses } = splitWins(trades);
  const netPnl = sum(trades.map((t) => t.pnl));
  const grossProfit = sum(wins);
  const grossLoss = 0 - sum(losses); // not -sum: no losses is 0, not -0
  const finalEquity = curve.at(-1)?.equity ?? initialEquity;
  const returns = stepReturns(curve);
  const stepsPerYear = YEAR_MS / stepMs;
  return {
    net_pnl: netPnl,
    return_pct: (finalEquity / initialEquity - 1) * 100,
    cagr_pct: cagrPct(curve),
    sharpe: sharpeRatio(returns, stepsPerYear),
    sortino: sortinoRatio(returns, stepsPerYear),
    max_drawdown_pct: maxDrawdownPct(curve),
    win_rate: trades.length === 0 ? 0 : wins.length / trades.length,
    avg_win: mean(wins),
    avg_loss: mean(losses),
    expectancy: trades.length === 0 ? 0 : netPnl / trades.length,
    gross_profit: grossProfit,
    gross_loss: grossLoss,
    profit_factor: grossLoss > 0 ? grossProfit / grossLoss : null,
    exposure_pct: exposurePct(trades, curve),
    trades: trades.length,
    fees: sum(trades.map((t) => t.fees)),
  };
}
