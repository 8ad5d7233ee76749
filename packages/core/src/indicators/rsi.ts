import { assertPeriod } from './period';
import { isZeroAtScale } from './ta-lib-zero';

/**
 * Relative strength index as TA-Lib's RSI: the first n price changes are averaged, then Wilder-smoothed
 * (avg = (avg·(n−1) + change) / n). Ready after n+1 closes; 0 when there was no movement at all
 * (below 1e-12 of the price).
 */
export class Rsi {
  readonly period: number;
  private changes = -1;
  private previousClose = Number.NaN;
  private gain = 0;
  private loss = 0;
  private current = Number.NaN;

  constructor(period: number) {
    assertPeriod('Rsi', period);
    this.period = period;
  }

  get isReady(): boolean {
    return this.changes >= this.period;
  }

  get value(): number | null {
    return this.isReady ? this.current : null;
  }

  update(close: number): number | null {
    this.push(close);
    return this.value;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(close: number): void {
    const change = close - this.previousClose;
    this.previousClose = close;
    if (++this.changes === 0) return;
    const n = this.period;
    if (this.changes < n) {
      if (change < 0) this.loss -= change;
      else this.gain += change;
      return;
    }
    if (this.changes === n) {
      if (change < 0) this.loss -= change;
      else this.gain += change;
      this.loss /= n;
      this.gain /= n;
    } else {
      this.loss *= n - 1;
      this.gain *= n - 1;
      if (change < 0) this.loss -= change;
      else this.gain += change;
      this.loss /= n;
      this.gain /= n;
    }
    this.current = rsiOf(this.gain, this.loss, close);
  }

  preview(close: number): number | null {
    const n = this.period;
    if (this.changes < n - 1) return null;
    const change = close - this.previousClose;
    const weight = this.changes === n - 1 ? 1 : n - 1;
    let loss = this.loss * weight;
    let gain = this.gain * weight;
    if (change < 0) loss -= change;
    else gain += change;
    return rsiOf(gain / n, loss / n, close);
  }
}

/** No movement is relative to the price (TA-Lib's is an absolute 1e-8, see ta-lib-zero.ts). */
function rsiOf(gain: number, loss: number, close: number): number {
  const total = gain + loss;
  return isZeroAtScale(total, close) ? 0 : 100 * (gain / total);
}
