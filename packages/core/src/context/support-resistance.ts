import type { OhlcvBar } from '../indicators';

export interface SupportResistanceOptions {
  /** Bars either side that a pivot high (low) must exceed (undercut). */
  pivotStrength: number;
  /** Pivots closer than this fraction of price belong to one level. */
  clusterTolerance: number;
  /** Levels returned on each side, nearest first. */
  maxLevels: number;
}

export const DEFAULT_SUPPORT_RESISTANCE: SupportResistanceOptions = {
  pivotStrength: 3,
  clusterTolerance: 0.005,
  maxLevels: 3,
};

export interface SupportResistanceLevel {
  price: number;
  /** How many pivots formed this level. */
  touches: number;
}

export interface SupportResistance {
  /** Below the close, nearest first. */
  support: SupportResistanceLevel[];
  /** Above the close, nearest first. */
  resistance: SupportResistanceLevel[];
}

/** The high of every pivot high and the low of every pivot low: beyond the `strength` bars on each side. */
export function pivotPrices(bars: readonly OhlcvBar[], strength: number): number[] {
  const prices: number[] = [];
  for (let i = strength; i < bars.length - strength; i++) pushPivotPrices(bars, i, strength, prices);
  return prices;
}

/**
 * Appends bar `i`'s high to `out` if it is a pivot high and its low if it is a pivot low, judged
 * against the `strength` bars on each side (which must exist).
 */
export function pushPivotPrices(
  bars: ReadonlyArray<Pick<OhlcvBar, 'high' | 'low'>>,
  i: number,
  strength: number,
  out: number[],
): void {
  const bar = bars[i]!;
  let isHigh = true;
  let isLow = true;
  for (let k = 1; k <= strength && (isHigh || isLow); k++) {
    const before = bars[i - k]!;
    const after = bars[i + k]!;
    if (before.high >= bar.high || after.high >= bar.high) isHigh = false;
    if (before.low <= bar.low || after.low <= bar.low) isLow = false;
  }
  if (isHigh) out.push(bar.high);
  if (isLow) out.push(bar.low);
}

/**
 * Groups sorted prices: a price joins the current cluster while it is within `tolerance` (a fraction) of
 * that cluster's mean; a level is the mean of its cluster. Deterministic for a given input.
 */
export function clusterPrices(prices: readonly number[], tolerance: number): SupportResistanceLevel[] {
  // A typed array sorts numbers ascending without a comparator call per pair (prices are finite).
  return clusterSortedPrices(Float64Array.from(prices).sort(), tolerance);
}

/** `clusterPrices` of prices already sorted ascending. */
export function clusterSortedPrices(sorted: ArrayLike<number>, tolerance: number): SupportResistanceLevel[] {
  const levels: SupportResistanceLevel[] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    const price = sorted[i]!;
    if (count > 0 && price - sum / count > (sum / count) * tolerance) {
      levels.push({ price: sum / count, touches: count });
      sum = 0;
      count = 0;
    }
    sum += price;
    count++;
  }
  if (count > 0) levels.push({ price: sum / count, touches: count });
  return levels;
}

/**
 * Support and resistance from pivot points clustered by price, split around the close, nearest first:
 * the nearest level is the one a stop or target meets first. `touches` says how often a level held.
 */
export function supportResistance(
  bars: readonly OhlcvBar[],
  close: number,
  options: SupportResistanceOptions = DEFAULT_SUPPORT_RESISTANCE,
): SupportResistance {
  const levels = clusterPrices(pivotPrices(bars, options.pivotStrength), options.clusterTolerance);
  return levelsAround(levels, close, options.maxLevels);
}

/** Up to `maxLevels` clustered levels either side of the close, nearest first. */
export function levelsAround(
  levels: readonly SupportResistanceLevel[],
  close: number,
  maxLevels: number,
): SupportResistance {
  // Cluster means come out strictly ascending (each cluster starts above the previous mean), so
  // the nearest levels are the ones either side of the close: no sort needed.
  const support: SupportResistanceLevel[] = [];
  for (let i = levels.length - 1; i >= 0 && support.length < maxLevels; i--) {
    const level = levels[i]!;
    if (level.price < close) support.push(level);
  }
  const resistance: SupportResistanceLevel[] = [];
  for (let i = 0; i < levels.length && resistance.length < maxLevels; i++) {
    const level = levels[i]!;
    if (level.price > close) resistance.push(level);
  }
  return { support, resistance };
}
