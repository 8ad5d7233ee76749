/** Candles missing from a series between two it has: `missing` open times after `after`, before `before`. */
export interface Hole {
  after: number;
  before: number;
  missing: number;
}

/**
 * The holes in `openTimes` (ascending, aligned to `stepMs`) when the series last had `previous`. An
 * exchange outage leaves one; so does a candle that never reached the database or the stream.
 */
export function holesIn(previous: number, openTimes: readonly number[], stepMs: number): Hole[] {
  const holes: Hole[] = [];
  let after = previous;
  for (const before of openTimes) {
    const missing = Math.round((before - after) / stepMs) - 1;
    if (missing > 0) holes.push({ after, before, missing });
    after = before;
  }
  return holes;
}
