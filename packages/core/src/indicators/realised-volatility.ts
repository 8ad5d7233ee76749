import { TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { assertPeriod } from './period';

const YEAR_MS = 365 * 86_400_000;

/** Bars per year for a timeframe; crypto trades every day of the year. */
export function periodsPerYear(timeframe: Timeframe): number {
  return YEAR_MS / TIMEFRAME_MS[timeframe];
}

/**
 * Realised volatility: the sample standard deviation (n − 1) of the last n log returns ln(cₜ/cₜ₋₁),
 * multiplied by √periodsPerYear (1 leaves it per bar). A sliding Welford update keeps it O(1) without the
 * cancellation of Σx² − (Σx)²/n. Ready after n+1 closes.
 *
 * The sliding update keeps rounding residues: after a window of closes that did not move (a market that
 * traded nothing, its bars carrying the last close) its m2 was ~1e-16 rather than 0, read as a volatility
 * of ~1e-7, and the volatility regime's ratio of two such residues was anything (1.28, `high`, halving
 * entries). The returns that are exactly 0 are counted instead: a window of only those has a mean and m2
 * of exactly 0, and they are set so.
 */
export class RealisedVolatility {
  readonly period: number;
  readonly periodsPerYear: number;
  private readonly scale: number;
  private readonly returns: Float64Array;
  private head = 0;
  private count = 0;
  private previousClose = Number.NaN;
  private mean = 0;
  private m2 = 0;
  /** How many returns in the window are exactly 0 (the close did not move). */
  private still = 0;

  constructor(period: number, periodsPerYear = 1) {
    assertPeriod('RealisedVolatility', period, 2);
    if (!(periodsPerYear > 0)) throw new RangeError(`RealisedVolatility: periodsPerYear must be > 0`);
    this.period = period;
    this.periodsPerYear = periodsPerYear;
    this.scale = Math.sqrt(periodsPerYear);
    this.returns = new Float64Array(period);
  }

  get isReady(): boolean {
    return this.count >= this.period;
  }

  get value(): number | null {
    return this.isReady ? this.volatility(this.m2) : null;
  }

  update(close: number): number | null {
    this.push(close);
    return this.value;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(close: number): void {
    const previous = this.previousClose;
    this.previousClose = close;
    if (Number.isNaN(previous)) return;
    const r = Math.log(close / previous);
    const n = this.period;
    if (this.count < n) {
      this.count++;
      const delta = r - this.mean;
      this.mean += delta / this.count;
      this.m2 += delta * (r - this.mean);
    } else {
      const leaving = this.returns[this.head]!;
      const mean = this.mean + (r - leaving) / n;
      this.m2 += (r - leaving) * (r - mean + leaving - this.mean);
      this.mean = mean;
      if (leaving === 0) this.still--;
    }
    if (r === 0) this.still++;
    // A window of closes that never moved has no spread at all, whatever the residue.
    if (this.still === this.count) {
      this.mean = 0;
      this.m2 = 0;
    }
    this.returns[this.head] = r;
    if (++this.head === n) this.head = 0;
  }

  preview(close: number): number | null {
    const n = this.period;
    if (this.count < n - 1 || Number.isNaN(this.previousClose)) return null;
    const r = Math.log(close / this.previousClose);
    const leavingStill = this.count === n && this.returns[this.head] === 0 ? 1 : 0;
    if (r === 0 && this.still - leavingStill === n - 1) return this.volatility(0);
    if (this.count < n) {
      const delta = r - this.mean;
      return this.volatility(this.m2 + delta * (r - (this.mean + delta / n)));
    }
    const leaving = this.returns[this.head]!;
    const mean = this.mean + (r - leaving) / n;
    return this.volatility(this.m2 + (r - leaving) * (r - mean + leaving - this.mean));
  }

  private volatility(m2: number): number {
    return Math.sqrt(Math.max(m2, 0) / (this.period - 1)) * this.scale;
  }
}
