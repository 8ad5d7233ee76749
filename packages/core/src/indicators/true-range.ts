/** Wilder's true range, computed in TA-Lib's order (TRUE_RANGE macro) so results are bit-identical. */
export function trueRange(high: number, low: number, previousClose: number): number {
  let greatest = high - low;
  const fromHigh = Math.abs(previousClose - high);
  if (fromHigh > greatest) greatest = fromHigh;
  const fromLow = Math.abs(previousClose - low);
  if (fromLow > greatest) greatest = fromLow;
  return greatest;
}
