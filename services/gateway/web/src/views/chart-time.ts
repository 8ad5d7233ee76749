import type { UTCTimestamp } from 'lightweight-charts';

/** lightweight-charts counts time in UTC seconds; the API in epoch milliseconds. */
export const sec = (ms: number): UTCTimestamp => Math.floor(ms / 1000) as UTCTimestamp;

/** The open time of the bar holding `ms` (bars sorted by open time); undefined before the first. */
export function barOf(openTimes: readonly number[], ms: number): number | undefined {
  let found: number | undefined;
  for (const t of openTimes) {
    if (t > ms) break;
    found = t;
  }
  return found;
}
