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
 * Bars from the candles table, which market-data fills under its VENUE name before it publishes each
 * candle; the stops service follows the md.candle subjects of that same name (its venue's id).
 */
export function storedBars(candles: CandleRepository, exchange: string): RecentBars {
  return async ({ symbol, timeframe, bars, closedBy }) => {
    const series = { exchange, symbol, timeframe };
    const last = await candles.lastOpenTime(series);
    if (last === undefined) return [];
    const step = TIMEFRAME_MS[timeframe];
    // A bar is closed once its close time (open + step - 1) is before `closedBy`.
    const toOpenTime = Math.min(last + 1, closedBy - step + 1);
    // The newest `bars` candles, looked for within core's warmUpReach: the venue's outages leave fewer
    // candles than slots (as features counts its warm-up).
    const fromOpenTime = toOpenTime - warmUpReach(bars) * step;
    return (await candles.range({ ...series, fromOpenTime, toOpenTime })).slice(-bars);
  };
}
