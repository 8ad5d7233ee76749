// TA-Lib treats |v| < 1e-8 as zero (TA_IS_ZERO) and v < 1e-8 as "zero or negative" (TA_IS_ZERO_OR_NEG);
// matching TA-Lib to 1e-9 needs the same tests at the same places.
const EPSILON = 0.00000001;

/**
 * For values in price units (or price²) we deliberately diverge from TA-Lib: its absolute 1e-8 is a
 * real movement on a coin priced 0.001 (the Bollinger variance of DOGE in 2019, every move of a
 * SHIB-class coin), which collapsed the bands to the middle and pinned RSI to 0 (RSI no longer tests for
 * zero at all: rsi.ts). Zero is instead
 * 1e-12 of the value's scale (price, or price² for a variance): at BTC's 1e4 that is TA-Lib's 1e-8 for
 * prices, and for variances still far above the float noise of E[x²] − mean², so parity on BTC/ETH
 * holds while every dimensionless output stays the same when all prices are scaled.
 */
const RELATIVE_EPSILON = 1e-12;

export function isTaZero(v: number): boolean {
  return -EPSILON < v && v < EPSILON;
}

export function isTaZeroOrNegative(v: number): boolean {
  return v < EPSILON;
}

/** |v| is zero relative to `scale` (a positive price, or price² for a variance). */
export function isZeroAtScale(v: number, scale: number): boolean {
  return Math.abs(v) < RELATIVE_EPSILON * Math.abs(scale);
}

/** v is zero or negative relative to `scale` (a positive price, or price² for a variance). */
export function isZeroOrNegativeAtScale(v: number, scale: number): boolean {
  return v < RELATIVE_EPSILON * Math.abs(scale);
}
