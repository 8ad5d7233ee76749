const DAY_MS = 86_400_000;

/** A closed trade as the readiness gate sees it. */
export interface PerformanceTrade {
  pnl: number;
  closeTime: number;
  /** Its first entry fill; null or absent when not recorded (then its close stands for it). */
  entryTime?: number | null;
}

/**
 * Whether a trade belongs to a period starting at `start`: it was entered then or later. A position
 * opened before (live, closing after a demotion restarted the paper period; paper, closing after a
 * promotion) is the previous period's evidence, whenever it closes.
 */
export function enteredSince(trade: PerformanceTrade, start: number): boolean {
  return entryOf(trade) >= start;
}

/** When a trade was entered; a record from before entry times were kept gives its close. */
export function entryOf(trade: Pick<PerformanceTrade, 'entryTime' | 'closeTime'>): number {
  return trade.entryTime ?? trade.closeTime;
}

export interface PaperPerformance {
  paperDays: number;
  closedTrades: number;
  /** Annualised (√365) from daily returns over the whole period; null without variance or days. */
  sharpe: number | null;
  maxDrawdownPct: number;
  /** Mean pnl per trade; null without trades. */
  expectancy: number | null;
}

function sharpeOf(returns: readonly number[]): number | null {
  if (returns.length < 2) return null;
  const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
  const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1);
  return variance > 0 ? (mean / Math.sqrt(variance)) * Math.sqrt(365) : null;
}

/**
 * Daily returns of an account that starts at `initialEquity` and moves only by closed trades' pnl,
 * one per UTC day from `start` to `now`; days without a close are zero returns, so idle time counts.
 */
export function dailyReturns(
  trades: readonly PerformanceTrade[],
  initialEquity: number,
  start: number,
  now: number,
): number[] {
  const days = Math.max(0, Math.ceil((now - start) / DAY_MS));
  const pnlByDay = new Array<number>(days).fill(0);
  for (const t of trades) {
    const day = Math.floor((t.closeTime - start) / DAY_MS);
    if (day >= 0 && day < days) pnlByDay[day] = (pnlByDay[day] ?? 0) + t.pnl;
  }
  let equity = initialEquity;
  return pnlByDay.map((pnl) => {
    const r = pnl / equity;
    equity += pnl;
    return r;
  });
}

/**
 * Largest fall of equity from its running peak, in percent of that peak: the equity closed trades
 * leave, and at the end that equity with `openPnl`, the open positions' result at their marks. A loss
 * still open is a loss of the account: leaving it out passed a strategy deep under water on a position
 * it had not closed.
 */
export function closedTradeDrawdownPct(
  trades: readonly PerformanceTrade[],
  initialEquity: number,
  openPnl = 0,
): number {
  let equity = initialEquity;
  let peak = initialEquity;
  let worst = 0;
  for (const t of [...trades].sort((a, b) => a.closeTime - b.closeTime)) {
    equity += t.pnl;
    peak = Math.max(peak, equity);
    worst = Math.max(worst, ((peak - equity) / peak) * 100);
  }
  const marked = equity + openPnl;
  return marked < peak ? Math.max(worst, ((peak - marked) / peak) * 100) : worst;
}

/**
 * The paper period's figures from the trades entered in [start, now] and closed by now; the drawdown
 * also from `openPnl`, the period's open positions marked at `now` (closedTradeDrawdownPct).
 */
export function paperPerformance(
  trades: readonly PerformanceTrade[],
  initialEquity: number,
  start: number,
  now: number,
  openPnl = 0,
): PaperPerformance {
  const inPeriod = trades.filter((t) => enteredSince(t, start) && t.closeTime <= now);
  const net = inPeriod.reduce((s, t) => s + t.pnl, 0);
  return {
    paperDays: Math.max(0, (now - start) / DAY_MS),
    closedTrades: inPeriod.length,
    sharpe: sharpeOf(dailyReturns(inPeriod, initialEquity, start, now)),
    maxDrawdownPct: closedTradeDrawdownPct(inPeriod, initialEquity, openPnl),
    expectancy: inPeriod.length === 0 ? null : net / inPeriod.length,
  };
}
