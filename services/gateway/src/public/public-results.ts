import { sharpeRatio, sortinoRatio, splitWins } from '@ballast/backtest';
import { periodStart } from '@ballast/core';
import type { ClosedTradeRecord } from '@ballast/db';

const DAY_MS = 86_400_000;
const DAYS_PER_YEAR = 365.25;

export interface PublicTrade {
  closeTime: number;
  symbol: string;
  strategy: string | null;
  /** Net of fees. */
  pnl: number;
  fees: number;
}

export interface PublicDay {
  day: number;
  pnl: number;
  fees: number;
  trades: number;
  wins: number;
}

export interface PublicMetrics {
  net_pnl: number;
  trades: number;
  win_rate: number;
  avg_win: number;
  avg_loss: number;
  expectancy: number;
  profit_factor: number | null;
  fees: number;
  /** Largest fall of cumulative P&L from its running peak, in quote currency. */
  max_drawdown: number;
  /** Annualised from daily P&L (days without trades count as 0). */
  sharpe: number | null;
  sortino: number | null;
  winning_days: number;
  losing_days: number;
  best_day: number | null;
  worst_day: number | null;
}

export interface PublicResults {
  computedAt: number;
  metrics: PublicMetrics;
  /** Every UTC day from the first closed trade to the computation, trade-less days as 0. */
  daily: PublicDay[];
  /** Cumulative net P&L after each closed trade, from 0 at the first trade's day. */
  curve: Array<{ time: number; pnl: number }>;
  trades: PublicTrade[];
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : sum(xs) / xs.length);

/**
 * What the public page shows, from closed trades alone. Only P&L is absolute: no balance, and no
 * figure relative to the balance (returns, drawdown in percent) that would let a reader work it out;
 * Sharpe and Sortino are the backtest's formulas over daily P&L, which are scale-free.
 * Wins and losses are the backtest's (splitWins): a trade with pnl exactly 0 is neither.
 */
export function publicResults(records: readonly ClosedTradeRecord[], now: number): PublicResults {
  const trades = [...records]
    .filter((t) => t.closeTime <= now)
    .sort((a, b) => a.closeTime - b.closeTime)
    .map(({ closeTime, symbol, strategy, pnl, fees }) => ({ closeTime, symbol, strategy, pnl, fees }));
  const daily = dailyPnl(trades, now);
  const dayPnl = daily.map((d) => d.pnl);
  const { wins, losses } = splitWins(trades);
  const grossLoss = -sum(losses);
  const curve = pnlCurve(trades);
  const net = sum(trades.map((t) => t.pnl));
  return {
    computedAt: now,
    metrics: {
      net_pnl: net,
      trades: trades.length,
      win_rate: trades.length === 0 ? 0 : wins.length / trades.length,
      avg_win: mean(wins),
      avg_loss: mean(losses),
      expectancy: trades.length === 0 ? 0 : net / trades.length,
      profit_factor: grossLoss > 0 ? sum(wins) / grossLoss : null,
      fees: sum(trades.map((t) => t.fees)),
      max_drawdown: maxDrawdown(curve.map((p) => p.pnl)),
      sharpe: sharpeRatio(dayPnl, DAYS_PER_YEAR),
      sortino: sortinoRatio(dayPnl, DAYS_PER_YEAR),
      winning_days: daily.filter((d) => d.pnl > 0).length,
      losing_days: daily.filter((d) => d.pnl < 0).length,
      best_day: daily.length === 0 ? null : Math.max(...dayPnl),
      worst_day: daily.length === 0 ? null : Math.min(...dayPnl),
    },
    daily,
    curve,
    trades,
  };
}

function dailyPnl(trades: readonly PublicTrade[], now: number): PublicDay[] {
  const first = trades[0];
  if (!first) return [];
  const days: PublicDay[] = [];
  for (let day = periodStart(first.closeTime, 'day'); day <= periodStart(now, 'day'); day += DAY_MS)
    days.push({ day, pnl: 0, fees: 0, trades: 0, wins: 0 });
  const start = days[0]?.day ?? 0;
  for (const t of trades) {
    const d = days[Math.floor((t.closeTime - start) / DAY_MS)] as PublicDay;
    d.pnl += t.pnl;
    d.fees += t.fees;
    d.trades += 1;
    if (t.pnl > 0) d.wins += 1;
  }
  return days;
}

function pnlCurve(trades: readonly PublicTrade[]): PublicResults['curve'] {
  const first = trades[0];
  if (!first) return [];
  let total = 0;
  return [
    { time: periodStart(first.closeTime, 'day'), pnl: 0 },
    ...trades.map((t) => {
      total += t.pnl;
      return { time: t.closeTime, pnl: total };
    }),
  ];
}

function maxDrawdown(cumulative: readonly number[]): number {
  let peak = 0;
  let worst = 0;
  for (const v of cumulative) {
    peak = Math.max(peak, v);
    worst = Math.max(worst, peak - v);
  }
  return worst;
}
