/** Significant digits a price keeps: a coin quoted at 0.0812 shows 0.08123, not 0.08. */
const PRICE_SIGNIFICANT_DIGITS = 6;
const PRICE_MAX_DECIMALS = 8;

/**
 * A price or level (entry, mark, stop, take-profit, fill): at least two decimals, and as many more as
 * keep six significant digits (at most eight), so a stop of a low-priced coin never reads 0.00.
 */
export const price = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '–';
  const magnitude = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  const decimals = Math.min(PRICE_MAX_DECIMALS, Math.max(2, PRICE_SIGNIFICANT_DIGITS - 1 - magnitude));
  return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: decimals });
};
