import type { IndicatorSnapshot } from '../indicators';

export type Trend = 'up' | 'down' | 'flat';

/**
 * up: close above EMA50 with EMA21 above EMA50; down: the mirror; otherwise flat. Two conditions, so one
 * close through the EMA50 in a range does not flip the trend. null until the EMAs are ready.
 */
export function trendOf(close: number, snapshot: Pick<IndicatorSnapshot, 'ema21' | 'ema50'>): Trend | null {
  const { ema21, ema50 } = snapshot;
  if (ema21 === null || ema50 === null) return null;
  if (close > ema50 && ema21 > ema50) return 'up';
  if (close < ema50 && ema21 < ema50) return 'down';
  return 'flat';
}
