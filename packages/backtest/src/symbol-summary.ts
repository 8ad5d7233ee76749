import type { BacktestResult, BacktestTrade } from './backtest-result';

export interface SymbolSummary {
  symbol: string;
  trades: number;
  win_rate: number;
  net_pnl: number;
  fees: number;
  /**
   * Largest fall of the row's cumulative realised pnl (its trades in the order they closed) from its
   * running peak, in percent of starting equity; the `TOTAL` row on the same basis over every trade, so
   * the rows compare. Open positions' marks are not in it: the equity curve's drawdown, marked at every
   * close and in percent of its peak, is `metrics.max_drawdown_pct`.
   */
  realised_dd_pct: number;
}

/** Per symbol and a `TOTAL` row, from the trade list (in the order trades closed). */
export function symbolSummaries(result: BacktestResult): SymbolSummary[] {
  const symbols = [...result.meta.symbols, 'TOTAL'];
  return symbols.map((symbol) => {
    const trades = symbol === 'TOTAL' ? result.trades : result.trades.filter((t) => t.symbol === symbol);
    const wins = trades.filter((t) => t.pnl > 0).length;
    return {
      symbol,
      trades: trades.length,
      win_rate: trades.length ? wins / trades.length : 0,
      net_pnl: trades.reduce((s, t) => s + t.pnl, 0),
      fees: trades.reduce((s, t) => s + t.fees, 0),
      realised_dd_pct: (realisedDrawdown(trades) / result.meta.initial_equity) * 100,
    };
  });
}

/** Largest fall of the cumulative pnl of `trades`, in their order, from its running peak (which starts at 0). */
function realisedDrawdown(trades: readonly BacktestTrade[]): number {
  let cumulative = 0;
  let peak = 0;
  let worst = 0;
  for (const t of trades) {
    cumulative += t.pnl;
    peak = Math.max(peak, cumulative);
    worst = Math.max(worst, peak - cumulative);
  }
  return worst;
}
