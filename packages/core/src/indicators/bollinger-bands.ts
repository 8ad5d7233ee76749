import { assertPeriod } from './period';
import { isZeroOrNegativeAtScale } from './ta-lib-zero';

export interface BollingerValue {
  upper: number;
  middle: number;
  lower: number;
  /** (upper − lower) / middle. */
  bandwidth: number;
  /** bandwidth / its mean over the last `squeezeLookback` bars (fewer while that history builds up). */
  bandwidthRatio: number;
  /** bandwidthRatio ≤ squeezeRatio: the bands are unusually narrow. */
  squeeze: boolean;
}

export interface BollingerOptions {
  period: number;
  /** Standard deviations from the middle band. */
  deviations: number;
  squeezeLookback: number;
  squeezeRatio: number;
}

/** Bollinger's own squeeze look-back is about six months of daily bars; 120 bars keeps that scale. */
export const DEFAULT_BOLLINGER: BollingerOptions = {
  period: 20,
  deviations: 2,
  squeezeLookback: 120,
  squeezeRatio: 0.5,
};

/**
 * Bollinger Bands as TA-Lib's BBANDS with an SMA middle: population standard deviation computed the way
 * TA-Lib does (running sums of x and x², variance = E[x²] − mean²), so values match to the bit; except
 * that a variance is zero below 1e-12·mean², not TA-Lib's absolute 1e-8 (see ta-lib-zero.ts). Bandwidth and the squeeze flag are additions TA-Lib does not have.
 */
export class BollingerBands {
  readonly options: BollingerOptions;
  // Copies of the options as own fields: read on every update.
  private readonly period: number;
  private readonly deviations: number;
  private readonly lookback: number;
  private readonly squeezeRatio: number;
  private readonly window: Float64Array;
  private head = 0;
  private count = 0;
  private partialSum = 0;
  private partialSquares = 0;
  private readonly bandwidths: Float64Array;
  private bandwidthHead = 0;
  private bandwidthCount = 0;
  private bandwidthSum = 0;
  private readonly current: BollingerValue = {
    upper: 0,
    middle: 0,
    lower: 0,
    bandwidth: 0,
    bandwidthRatio: 0,
    squeeze: false,
  };

  constructor(options: Partial<BollingerOptions> = {}) {
    this.options = { ...DEFAULT_BOLLINGER, ...options };
    assertPeriod('BollingerBands', this.options.period);
    assertPeriod('BollingerBands squeezeLookback', this.options.squeezeLookback);
    this.period = this.options.period;
    this.deviations = this.options.deviations;
    this.lookback = this.options.squeezeLookback;
    this.squeezeRatio = this.options.squeezeRatio;
    this.window = new Float64Array(this.period);
    this.bandwidths = new Float64Array(this.lookback);
  }

  get isReady(): boolean {
    return this.count >= this.period;
  }

  get upper(): number {
    return this.isReady ? this.current.upper : Number.NaN;
  }

  get middle(): number {
    return this.isReady ? this.current.middle : Number.NaN;
  }

  get lower(): number {
    return this.isReady ? this.current.lower : Number.NaN;
  }

  get bandwidth(): number {
    return this.isReady ? this.current.bandwidth : Number.NaN;
  }

  get bandwidthRatio(): number {
    return this.isReady ? this.current.bandwidthRatio : Number.NaN;
  }

  get squeeze(): boolean {
    return this.isReady && this.current.squeeze;
  }

  get value(): BollingerValue | null {
    return this.isReady ? { ...this.current } : null;
  }

  /** Returns true once the bands are ready. */
  update(x: number): boolean {
    const n = this.period;
    if (this.count < n - 1) {
      this.window[this.head] = x;
      if (++this.head === n) this.head = 0;
      this.partialSum += x;
      this.partialSquares += x * x;
      this.count++;
      return false;
    }
    this.fill(x, this.current);
    this.commit(x, this.current.bandwidth);
    return true;
  }

  preview(x: number): BollingerValue | null {
    if (this.count < this.period - 1) return null;
    const out = { upper: 0, middle: 0, lower: 0, bandwidth: 0, bandwidthRatio: 0, squeeze: false };
    this.fill(x, out);
    return out;
  }

  private fill(x: number, out: BollingerValue): void {
    const n = this.period;
    const middle = (this.partialSum + x) / n;
    const squared = x * x;
    const meanOfSquares = (this.partialSquares + squared) / n;
    const variance = meanOfSquares - middle * middle;
    const deviation =
      (isZeroOrNegativeAtScale(variance, middle * middle) ? 0 : Math.sqrt(variance)) * this.deviations;
    out.middle = middle;
    out.upper = middle + deviation;
    out.lower = middle - deviation;
    out.bandwidth = (out.upper - out.lower) / middle;
    const lookback = this.lookback;
    const full = this.bandwidthCount === lookback;
    const sum = this.bandwidthSum + out.bandwidth - (full ? this.bandwidths[this.bandwidthHead]! : 0);
    const average = sum / (full ? lookback : this.bandwidthCount + 1);
    out.bandwidthRatio = average > 0 ? out.bandwidth / average : 1;
    out.squeeze = out.bandwidthRatio <= this.squeezeRatio;
  }

  private commit(x: number, bandwidth: number): void {
    const n = this.period;
    this.window[this.head] = x;
    if (++this.head === n) this.head = 0;
    if (this.count < n) this.count++;
    // TA-Lib adds the new value, then subtracts the one leaving; head now points at it.
    const leaving = this.window[this.head]!;
    this.partialSum = this.partialSum + x - leaving;
    this.partialSquares = this.partialSquares + x * x - leaving * leaving;

    const lookback = this.lookback;
    if (this.bandwidthCount === lookback) this.bandwidthSum -= this.bandwidths[this.bandwidthHead]!;
    else this.bandwidthCount++;
    this.bandwidthSum += bandwidth;
    this.bandwidths[this.bandwidthHead] = bandwidth;
    if (++this.bandwidthHead === lookback) this.bandwidthHead = 0;
  }
}
