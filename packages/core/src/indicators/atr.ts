import type { OhlcvBar } from './ohlcv-bar';
import { assertPeriod } from './period';
import { trueRange } from './true-range';

/**
 * Average true range as TA-Lib's ATR: the first true range needs a previous close, so the seed is the mean
 * of the true ranges of bars 1..n (bar 0 only provides a close); then Wilder smoothing. Ready after n+1 bars.
 */
export class Atr {
  readonly period: number;
  private ranges = -1;
  private previousClose = Number.NaN;
  private current = 0;

  constructor(period: number) {
    assertPeriod('Atr', period);
    this.period = period;
  }

  get isReady(): boolean {
    return this.ranges >= this.period;
  }

  get value(): number | null {
    return this.isReady ? this.current : null;
  }

  update(bar: OhlcvBar): number | null {
    this.push(bar);
    return this.value;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(bar: OhlcvBar): void {
    this.pushTrueRange(trueRange(bar.high, bar.low, this.previousClose), bar.close);
  }

  /** push() for a caller that already has the bar's true range (ignored on the first bar, which has none). */
  pushTrueRange(tr: number, close: number): void {
    this.previousClose = close;
    if (++this.ranges === 0) return;
    const n = this.period;
    if (this.ranges <= n) {
      this.current += tr;
      if (this.ranges < n) return;
      this.current /= n;
      return;
    }
    this.current *= n - 1;
    this.current += tr;
    this.current /= n;
  }

  preview(bar: OhlcvBar): number | null {
    const n = this.period;
    if (this.ranges < n - 1) return null;
    const tr = trueRange(bar.high, bar.low, this.previousClose);
    if (this.ranges === n - 1) return (this.current + tr) / n;
    return (this.current * (n - 1) + tr) / n;
  }
}
