/** A backtest over the same period as paper trading, as the gate sees it. */
export interface BacktestSummary {
  trades: number;
  expectancy: number;
  maxDrawdownPct: number;
}

/**
 * The figures the go-live gate judges. A figure that could not be measured is null, and a null
 * figure is never green: no data is not evidence.
 */
export interface ReadinessInputs {
  /** Days from the paper period's start to the evaluation time. */
  paperDays: number | null;
  closedTrades: number;
  /** Annualised Sharpe of the paper period's daily returns. */
  sharpe: number | null;
  maxDrawdownPct: number | null;
  expectancy: number | null;
  /** Percent of sampled open positions that had a protective stop; null without samples. */
  stopCoveragePct: number | null;
  /** Percent of healthy service samples; null without samples. */
  uptimePct: number | null;
  backtest: BacktestSummary | null;
}
