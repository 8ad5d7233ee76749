// TA-Lib treats |v| < 1e-8 as zero (TA_IS_ZERO) and v < 1e-8 as "zero or negative" (TA_IS_ZERO_OR_NEG);
// matching TA-Lib to 1e-9 needs the same tests at the same places.
const EPSILON = 0.00000001;

export function isTaZero(v: number): boolean {
  return -EPSILON < v && v < EPSILON;
}

export function isTaZeroOrNegative(v: number): boolean {
  return v < EPSILON;
}
