import { assertPeriod } from './period';

/**
 * Simple moving average, as TA-Lib's SMA: a running sum of the last n−1 values to which the new value is
 * added before dividing, then the oldest is subtracted. The same order of operations gives the same bits.
 */
export class Sma {
  readonly period: number;
  private readonly window: Float64Array;
  private head = 0;
  private count = 0;
  /** Sum of the most recent period−1 values. */
  private partial = 0;
  private current = Number.NaN;

  constructor(period: number) {
    assertPeriod('Sma', period);
    this.period = period;
    this.window = new Float64Array(period);
  }

  get isReady(): boolean {
    return this.count >= this.period;
  }

  get value(): number | null {
    return this.isReady ? this.current : null;
  }

  /** The mean, NaN during warm-up: for hot paths that must not box a number | null. */
  get mean(): number {
    return this.isReady ? this.current : Number.NaN;
  }

  update(x: number): number | null {
    this.push(x);
    return this.value;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(x: number): void {
    const n = this.period;
    this.window[this.head] = x;
    if (++this.head === n) this.head = 0;
    if (this.count < n - 1) {
      this.partial += x;
      this.count++;
      return;
    }
    if (this.count < n) this.count++;
    const total = this.partial + x;
    this.current = total / n;
    // After the write, head points at the oldest of the last n values: it leaves the next window.
    this.partial = total - this.window[this.head]!;
  }

  preview(x: number): number | null {
    return this.count >= this.period - 1 ? (this.partial + x) / this.period : null;
  }
}
