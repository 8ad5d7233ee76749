const DAY_MS = 86_400_000;

/** A closed trade as operators see it: net pnl (fees already taken) and the fees paid. */
export interface LedgerTrade {
  symbol: string;
  strategy: string | null;
  /** Net of fees. */
  pnl: number;
  fees: number;
  closeTime: number;
}

export type PnlPeriod = 'day' | 'week' | 'month';

/** Start (epoch ms, UTC) of the day, ISO week (Monday) or month containing `t`. */
export function periodStart(t: number, period: PnlPeriod): number {
  const day = Math.floor(t / DAY_MS) * DAY_MS;
  if (period === 'day') return day;
  if (period === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export interface PeriodPnl {
  from: number;
  to: number;
  trades: number;
  wins: number;
  pnl: number;
  fees: number;
  /** pnl / equity at the period's start, in percent; null when that equity is not positive. */
  returnPct: number | null;
}

/** Closed-trade P&L over [from, to), and the return on the equity the period started with. */
export function pnlBetween(
  trades: readonly LedgerTrade[],
  initialEquity: number,
  from: number,
  to: number,
): PeriodPnl {
  let before = 0;
  let pnl = 0;
  let fees = 0;
  let count = 0;
  let wins = 0;
  for (const t of trades) {
    if (t.closeTime < from) before += t.pnl;
    else if (t.closeTime < to) {
      pnl += t.pnl;
      fees += t.fees;
      count += 1;
      if (t.pnl > 0) wins += 1;
    }
  }
  const startEquity = initialEquity + before;
  return {
    from,
    to,
    trades: count,
    wins,
    pnl,
    fees,
    returnPct: startEquity > 0 ? (pnl / startEquity) * 100 : null,
  };
}

/** Equity after each closed trade, starting from `initialEquity` at `from`. */
export function equityCurve(
  trades: readonly LedgerTrade[],
  initialEquity: number,
): Array<{ time: number; equity: number }> {
  let equity = initialEquity;
  const sorted = [...trades].sort((a, b) => a.closeTime - b.closeTime);
  return sorted.map((t) => {
    equity += t.pnl;
    return { time: t.closeTime, equity };
  });
}
