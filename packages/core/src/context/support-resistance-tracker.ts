import type { OhlcvBar } from '../indicators';
import {
  clusterSortedPrices,
  DEFAULT_SUPPORT_RESISTANCE,
  levelsAround,
  pushPivotPrices,
  type SupportResistance,
  type SupportResistanceOptions,
} from './support-resistance';

interface Pivot {
  /** Position of the bar in the stream (0 for the first bar pushed). */
  readonly index: number;
  readonly prices: readonly number[];
}

/**
 * `supportResistance` over the last `window` bars, kept one bar at a time instead of rescanning the
 * window per bar. Whether a bar is a pivot depends only on the `pivotStrength` bars either side, so it
 * is decided once, when the last of them arrives; a pivot leaves when its bar is too close to the start
 * of the window to be one; the pivot prices are kept sorted. `levels(close)` equals
 * `supportResistance(lastWindowBars, close, options)` after every push (proven on recorded candles in
 * `support-resistance-tracker.test.ts`).
 */
export class SupportResistanceTracker {
  /** The highs and lows of the last `2 × pivotStrength + 1` bars, oldest first. */
  private readonly recent: Array<Pick<OhlcvBar, 'high' | 'low'>> = [];
  private pushed = 0;
  /** Pivots inside the window, oldest first. */
  private readonly pivots: Pivot[] = [];
  private readonly sorted: number[] = [];

  constructor(
    readonly window: number,
    private readonly options: SupportResistanceOptions = DEFAULT_SUPPORT_RESISTANCE,
  ) {
    if (!Number.isInteger(window) || window < 1)
      throw new RangeError('SupportResistanceTracker: window must be ≥ 1');
  }

  push(bar: Pick<OhlcvBar, 'high' | 'low'>): void {
    const strength = this.options.pivotStrength;
    this.recent.push({ high: bar.high, low: bar.low });
    if (this.recent.length > 2 * strength + 1) this.recent.shift();
    this.pushed++;
    const start = Math.max(0, this.pushed - this.window);
    // The bar `strength` back now has its neighbours; it counts if the window still holds its left ones.
    const candidate = this.pushed - 1 - strength;
    if (this.recent.length === 2 * strength + 1 && candidate - strength >= start) this.decide(candidate);
    while (this.pivots.length > 0 && this.pivots[0]!.index < start + strength) {
      for (const price of this.pivots.shift()!.prices) this.sorted.splice(this.position(price, false), 1);
    }
  }

  levels(close: number): SupportResistance {
    const levels = clusterSortedPrices(this.sorted, this.options.clusterTolerance);
    return levelsAround(levels, close, this.options.maxLevels);
  }

  /** Keeps the middle bar of `recent` if `pivotPrices` would count it. */
  private decide(index: number): void {
    const prices: number[] = [];
    pushPivotPrices(this.recent, this.options.pivotStrength, this.options.pivotStrength, prices);
    if (prices.length === 0) return;
    this.pivots.push({ index, prices });
    for (const price of prices) this.sorted.splice(this.position(price, true), 0, price);
  }

  /**
   * Binary search in `sorted`: the first position whose price is above `price` (`after`, where a new
   * one goes), else the first holding a price at or above it (an existing one, to remove).
   */
  private position(price: number, after: boolean): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const value = this.sorted[mid]!;
      if (value < price || (after && value === price)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
