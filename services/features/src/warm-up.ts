import { TIMEFRAME_MS } from '@ballast/contracts';
import type { FeatureEngine } from '@ballast/core';
import type { CandleRepository, SeriesKey } from '@ballast/db';

/**
 * Replays the newest `count` stored candles of a series through the engine, discarding its vectors:
 * the live feed then continues from warm indicators instead of 200 silent hours. Returns how many
 * candles were replayed.
 */
export async function warmUp(
  engine: FeatureEngine,
  candles: CandleRepository,
  series: SeriesKey,
  count: number,
): Promise<number> {
  const last = await candles.lastOpenTime(series);
  if (last === undefined) return 0;
  const fromOpenTime = last - (count - 1) * TIMEFRAME_MS[series.timeframe];
  const stored = await candles.range({ ...series, fromOpenTime, toOpenTime: last + 1 });
  for (const candle of stored) engine.process(candle);
  return stored.length;
}
