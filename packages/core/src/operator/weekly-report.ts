import { equityCurve, type LedgerTrade, type PeriodPnl, periodStart, pnlBetween } from './period-pnl';

const WEEK_MS = 7 * 86_400_000;

export interface Ranked {
  name: string;
  pnl: number;
}

export interface WeeklyReport {
  week: PeriodPnl;
  monthToDate: PeriodPnl;
  /** By net pnl over the week, best first; empty without trades. */
  symbols: Ranked[];
  strategies: Ranked[];
  /** Peak-to-trough of closed-trade equity within the week, percent of the peak. */
  maxDrawdownPct: number;
  /** Equity after each trade over the chart window, starting with the equity before it. */
  equity: Array<{ time: number; equity: number }>;
}

function ranked(trades: readonly LedgerTrade[], key: (t: LedgerTrade) => string): Ranked[] {
  const sums = new Map<string, number>();
  for (const t of trades) sums.set(key(t), (sums.get(key(t)) ?? 0) + t.pnl);
  return [...sums]
    .map(([name, pnl]) => ({ name, pnl }))
    .sort((a, b) => b.pnl - a.pnl || a.name.localeCompare(b.name));
}

function maxDrawdownPct(start: number, curve: ReadonlyArray<{ equity: number }>): number {
  let peak = start;
  let worst = 0;
  for (const { equity } of curve) {
    peak = Math.max(peak, equity);
    if (peak > 0) worst = Math.max(worst, ((peak - equity) / peak) * 100);
  }
  return worst;
}

/**
 * The weekly P&L report for the seven days ending at `now`: return, month to date, best and worst
 * symbols and strategies, fees, drawdown, and the equity curve over `chartDays` for the picture.
 */
export function weeklyReport(
  trades: readonly LedgerTrade[],
  initialEquity: number,
  now: number,
  chartDays = 30,
): WeeklyReport {
  const from = now - WEEK_MS;
  const week = pnlBetween(trades, initialEquity, from, now);
  const monthToDate = pnlBetween(trades, initialEquity, periodStart(now, 'month'), now);
  const inWeek = trades.filter((t) => t.closeTime >= from && t.closeTime < now);
  const startEquity = initialEquity + trades.filter((t) => t.closeTime < from).reduce((s, t) => s + t.pnl, 0);
  const weekCurve = equityCurve(inWeek, startEquity);
  const chartFrom = now - chartDays * 86_400_000;
  const chartStart =
    initialEquity + trades.filter((t) => t.closeTime < chartFrom).reduce((s, t) => s + t.pnl, 0);
  const chartTrades = trades.filter((t) => t.closeTime >= chartFrom && t.closeTime < now);
  return {
    week,
    monthToDate,
    symbols: ranked(inWeek, (t) => t.symbol),
    strategies: ranked(inWeek, (t) => t.strategy ?? 'manual'),
    maxDrawdownPct: maxDrawdownPct(startEquity, weekCurve),
    equity: [{ time: chartFrom, equity: chartStart }, ...equityCurve(chartTrades, chartStart)],
  };
}
