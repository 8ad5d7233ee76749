/**
 * A numeric option as a positive integer, or a clear error naming it. `Number('10s')` is NaN, and a
 * timer set to NaN fires at once: a kill would report every service as timed out in a millisecond.
 */
export function positiveInteger(option: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`invalid ${option} "${raw}": a positive integer`);
  return value;
}
