import { type Candle, TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { warmUpReach } from '@ballast/core';
import type { CandleRepository } from '@ballast/db';

export interface RecentBarsQuery {
  symbol: string;
  timeframe: Timeframe;
  /** How many bars, at most. */
  bars: number;
  /** Only bars closed by this time (epoch ms): a run replaying history never reads ahead of its clock. */
  closedBy: number;
}

/** The newest stored bars of a symbol, oldest first: what the trailing ATR warms up from. */
export type RecentBars = (query: RecentBarsQuery) => Promise<Candle[]>;

/**
 * The open times a warm-up reads, [fromOpenTime, toOpenTime): bars closed by `closedBy` (close time, open +
 * step - 1, before it), none after the newest held, looked for within core's warmUpReach of `bars` before
 * that, since the venue's outages leave fewer candles than slots (as features counts its warm-up). The
 * newest `bars` of them are taken.
 */
export function recentBarsWindow(
  query: RecentBarsQuery,
  newestOpenTime: number,
): { fromOpenTime: number; toOpenTime: number } {
  const step = TIMEFRAME_MS[query.timeframe];
  const toOpenTime = Math.min(newestOpenTime + 1, query.closedBy - step + 1);
  return { fromOpenTime: toOpenTime - warmUpReach(query.bars) * step, toOpenTime };
}

/**
 * Bars from the candles table, which market-data fills under its VENUE name before it publishes each
 * candle; the stops service follows the md.candle subjects of that same name (its venue's id).
 */
export function storedBars(candles: CandleRepository, exchange: string): RecentBars {
  return async (query) => {
    const series = { exchange, symbol: query.symbol, timeframe: query.timeframe };
    const last = await candles.lastOpenTime(series);
    if (last === undefined) return [];
    const window = recentBarsWindow(query, last);
    return (await candles.range({ ...series, ...window })).slice(-query.bars);
  };
}
