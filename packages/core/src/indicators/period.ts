/** Indicator periods are positive integers; anything else is a programming error, so it throws. */
export function assertPeriod(name: string, period: number, minimum = 1): void {
  if (!Number.isInteger(period) || period < minimum) {
    throw new RangeError(`${name}: period must be an integer >= ${minimum}, got ${period}`);
  }
}
