import { assertPeriod } from './period';

/** Exponential moving average as TA-Lib's EMA: seeded with the SMA of the first n values, α = 2/(n+1). */
export class Ema {
  readonly period: number;
  readonly alpha: number;
  private count = 0;
  private seedSum = 0;
  private current = Number.NaN;

  constructor(period: number) {
    assertPeriod('Ema', period);
    this.period = period;
    this.alpha = 2 / (period + 1);
  }

  get isReady(): boolean {
    return this.count >= this.period;
  }

  get value(): number | null {
    return this.isReady ? this.current : null;
  }

  update(x: number): number | null {
    this.push(x);
    return this.value;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(x: number): void {
    if (this.count >= this.period) {
      this.current = (x - this.current) * this.alpha + this.current;
      return;
    }
    this.seedSum += x;
    if (++this.count < this.period) return;
    this.current = this.seedSum / this.period;
  }

  preview(x: number): number | null {
    if (this.count >= this.period) return (x - this.current) * this.alpha + this.current;
    return this.count === this.period - 1 ? (this.seedSum + x) / this.period : null;
  }
}
