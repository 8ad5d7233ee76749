/** Significant digits a price keeps: a coin quoted at 0.0812 shows 0.08123, not 0.08. */
const PRICE_SIGNIFICANT_DIGITS = 6;
const PRICE_MAX_DECIMALS = 8;
const PRICE_MIN_DECIMALS = 2;

/** The decimals `price` shows `v` to: at least two, and as many more as keep six significant digits (at most eight). */
export const priceDecimals = (v: number): number => {
  const magnitude = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  return Math.min(PRICE_MAX_DECIMALS, Math.max(PRICE_MIN_DECIMALS, PRICE_SIGNIFICANT_DIGITS - 1 - magnitude));
};

/**
 * A price or level (entry, mark, stop, take-profit, fill): at least two decimals, and as many more as
 * keep six significant digits (at most eight), so a stop of a low-priced coin never reads 0.00.
 */
export const price = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '–';
  return v.toLocaleString('en-US', {
    minimumFractionDigits: PRICE_MIN_DECIMALS,
    maximumFractionDigits: priceDecimals(v),
  });
};

/** A chart series' price format (lightweight-charts `priceFormat`): its axis and price lines' decimals. */
export type ChartPriceFormat = { type: 'price'; precision: number; minMove: number };

/**
 * The price format of a chart of `prices`: the decimals `price` shows the smallest of them to, so a chart
 * of a coin quoted at 0.0812 reads 0.081234 on its axis as in the tables, not the library's 0.08 (or 0.00).
 * No usable price: two decimals.
 */
export const chartPriceFormat = (prices: Iterable<number>): ChartPriceFormat => {
  let smallest = Number.POSITIVE_INFINITY;
  for (const p of prices) if (Number.isFinite(p) && p !== 0) smallest = Math.min(smallest, Math.abs(p));
  const precision = Number.isFinite(smallest) ? priceDecimals(smallest) : PRICE_MIN_DECIMALS;
  return { type: 'price', precision, minMove: Number(`1e-${precision}`) };
};
