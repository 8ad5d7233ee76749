import type { HourExpectancy } from './hour-expectancy';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What the hour statistics need of a closed trade; trades without a strategy or entry time are skipped. */
export interface HourStatsTrade {
  strategy: string | null;
  /** Epoch ms of the entry (first fill); null or absent when it was not recorded. */
  entryTime?: number | null;
  /** Net of fees. */
  pnl: number;
}

/**
 * Per (strategy, UTC hour of entry): the number of closed trades and their expectancy, the mean net
 * P&L per trade. Recomputed whole from the trades, never incremented, so a replayed close cannot
 * count twice. Ordered by strategy, then hour.
 */
export function hourExpectancies(trades: readonly HourStatsTrade[]): HourExpectancy[] {
  const sums = new Map<string, { strategy: string; hourUtc: number; trades: number; pnl: number }>();
  for (const t of trades) {
    if (t.strategy === null || t.entryTime == null) continue;
    const hourUtc = utcHour(t.entryTime);
    const key = `${t.strategy}|${hourUtc}`;
    const sum = sums.get(key) ?? { strategy: t.strategy, hourUtc, trades: 0, pnl: 0 };
    sum.trades += 1;
    sum.pnl += t.pnl;
    sums.set(key, sum);
  }
  return [...sums.values()]
    .map((s) => ({
      strategy: s.strategy,
      hourUtc: s.hourUtc,
      trades: s.trades,
      expectancy: s.pnl / s.trades,
    }))
    .sort((a, b) => (a.strategy === b.strategy ? a.hourUtc - b.hourUtc : a.strategy < b.strategy ? -1 : 1));
}

/** 0–23; modular so times before 1970 still land in their hour. */
function utcHour(epochMs: number): number {
  return Math.floor((((epochMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}
