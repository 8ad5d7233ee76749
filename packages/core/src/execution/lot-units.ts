import { decimalPlaces } from '../risk/precision';

// Sizes a venue prints are exact decimals, but subtracting them as binary floats leaves
// 0.000774999999999725 where the venue means 0.000775. Quantities are counted here in whole units of
// their last printed decimal and printed back through toFixed, so sums and differences stay exact.

/** Venues print quantities with at most 8 decimals; digits beyond that are binary noise. */
const MAX_LOT_DECIMALS = 8;

/** Decimal places a quantity is printed with: 0.000775 → 6, 0.07000000000000001 → 8. */
export function lotDecimals(qty: number): number {
  return Math.min(decimalPlaces(qty), MAX_LOT_DECIMALS);
}

export function toLotUnits(qty: number, decimals: number): number {
  return Math.round(qty * 10 ** decimals);
}

export function fromLotUnits(units: number, decimals: number): number {
  return Number((units / 10 ** decimals).toFixed(decimals));
}

/** Σ quantities, exact to the finest decimal any of them is printed with. */
export function sumLots(quantities: readonly number[]): number {
  const decimals = Math.max(0, ...quantities.map(lotDecimals));
  return fromLotUnits(
    quantities.reduce((s, q) => s + toLotUnits(q, decimals), 0),
    decimals,
  );
}

/** a − b, exact to the finer of their decimals. */
export function subtractLots(a: number, b: number): number {
  const decimals = Math.max(lotDecimals(a), lotDecimals(b));
  return fromLotUnits(toLotUnits(a, decimals) - toLotUnits(b, decimals), decimals);
}
