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
  /** The equity Sharpe and drawdown are measured on, or why they are not. */
  equityNote?: string;
  expectancy: number | null;
  /**
   * Percent of sampled open positions that had a protective stop, over the samples that saw a
   * position; null when none did (a period without positions proves nothing).
   */
  stopCoveragePct: number | null;
  /** How many samples the coverage figure stands on. */
  stopCoverageNote?: string;
  /**
   * The lowest trading service's healthy samples over the samples it should have written in the
   * period (serviceUptime); null when the period holds no sample boundary.
   */
  uptimePct: number | null;
  /** Which service the uptime figure is, and its counts. */
  uptimeNote?: string;
  backtest: BacktestSummary | null;
}
