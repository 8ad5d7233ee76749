import type { BacktestResult } from './backtest-result';

export interface SymbolSummary {
  symbol: string;
  trades: number;
  win_rate: number;
  net_pnl: number;
  fees: number;
  /** Largest fall of this symbol's cumulative trade pnl from its peak, in percent of starting equity. */
  max_dd_pct: number;
}

/** Per symbol and a `TOTAL` row, from the trade list (in the order trades closed). */
export function symbolSummaries(result: BacktestResult): SymbolSummary[] {
  const symbols = [...result.meta.symbols, 'TOTAL'];
  return symbols.map((symbol) => {
    const trades = symbol === 'TOTAL' ? result.trades : result.trades.filter((t) => t.symbol === symbol);
    let cumulative = 0;
    let peak = 0;
    let worst = 0;
    for (const t of trades) {
      cumulative += t.pnl;
      peak = Math.max(peak, cumulative);
      worst = Math.max(worst, peak - cumulative);
    }
    const wins = trades.filter((t) => t.pnl > 0).length;
    return {
      symbol,
      trades: trades.length,
      win_rate: trades.length ? wins / trades.length : 0,
      net_pnl: trades.reduce((s, t) => s + t.pnl, 0),
      fees: trades.reduce((s, t) => s + t.fees, 0),
      max_dd_pct:
        symbol === 'TOTAL' ? result.metrics.max_drawdown_pct : (worst / result.meta.initial_equity) * 100,
    };
  });
}
