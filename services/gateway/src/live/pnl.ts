import type { PositionEvent } from '@ballast/contracts';
import { type LedgerTrade, equityCurve as ledgerEquity, type PnlPeriod, periodStart } from '@ballast/core';

/** Unrealised P&L of an open position at `price` (quote currency, before exit fees). */
export function unrealizedPnl(p: Pick<PositionEvent, 'side' | 'qty' | 'avgEntry'>, price: number): number {
  const direction = p.side === 'long' ? 1 : -1;
  return (price - p.avgEntry) * p.qty * direction;
}

export type Period = PnlPeriod;

/** A closed trade as the gateway sums it: the core ledger trade (pnl net of fees, fees paid). */
export type PnlTrade = LedgerTrade;

export interface PeriodPnl {
  start: number;
  pnl: number;
  fees: number;
  trades: number;
  wins: number;
  byStrategy: Record<string, number>;
  bySymbol: Record<string, number>;
}

const add = (m: Record<string, number>, k: string, v: number) => {
  m[k] = (m[k] ?? 0) + v;
};

/** Closed trades summed per period (core's UTC periods, ISO weeks), oldest first; empty periods absent. */
export function pnlByPeriod(trades: readonly PnlTrade[], period: Period): PeriodPnl[] {
  const buckets = new Map<number, PeriodPnl>();
  for (const t of trades) {
    const start = periodStart(t.closeTime, period);
    const b = buckets.get(start) ?? {
      start,
      pnl: 0,
      fees: 0,
      trades: 0,
      wins: 0,
      byStrategy: {},
      bySymbol: {},
    };
    b.pnl += t.pnl;
    b.fees += t.fees;
    b.trades += 1;
    if (t.pnl > 0) b.wins += 1;
    add(b.byStrategy, t.strategy ?? 'none', t.pnl);
    add(b.bySymbol, t.symbol, t.pnl);
    buckets.set(start, b);
  }
  return [...buckets.values()].sort((a, b) => a.start - b.start);
}

export interface GroupPnl {
  key: string;
  trades: number;
  wins: number;
  pnl: number;
  fees: number;
  /** Net pnl per trade. */
  expectancy: number;
}

/** Totals per strategy (`none` for manual trades) or per symbol, best first. */
export function pnlByGroup(trades: readonly PnlTrade[], by: 'strategy' | 'symbol'): GroupPnl[] {
  const groups = new Map<string, GroupPnl>();
  for (const t of trades) {
    const key = by === 'strategy' ? (t.strategy ?? 'none') : t.symbol;
    const g = groups.get(key) ?? { key, trades: 0, wins: 0, pnl: 0, fees: 0, expectancy: 0 };
    g.trades += 1;
    g.pnl += t.pnl;
    g.fees += t.fees;
    if (t.pnl > 0) g.wins += 1;
    g.expectancy = g.pnl / g.trades;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.pnl - a.pnl || a.key.localeCompare(b.key));
}

export interface EquityPoint {
  time: number;
  equity: number;
  drawdownPct: number;
}

/** Core's equity after each closed trade, with the drawdown from the running peak added. */
export function equityCurve(trades: readonly PnlTrade[], initial: number): EquityPoint[] {
  let peak = initial;
  return ledgerEquity(trades, initial).map(({ time, equity }) => {
    peak = Math.max(peak, equity);
    return { time, equity, drawdownPct: peak === 0 ? 0 : ((peak - equity) / peak) * 100 };
  });
}
