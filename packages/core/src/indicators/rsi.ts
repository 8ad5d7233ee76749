import { assertPeriod } from './period';

/**
 * Relative strength index as TA-Lib's RSI: the first n price changes are averaged, then Wilder-smoothed
 * (avg = (avg·(n−1) + change) / n). Ready after n+1 closes; 50 when there was no movement at all.
 *
 * Where TA-Lib reads averages below its epsilon as RSI 0, we keep their ratio (see rsiOf): the one place
 * the two differ, and only in a market that stopped moving.
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
    this.current = rsiOf(this.gain, this.loss);
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
    return rsiOf(gain / n, loss / n);
  }
}

/**
 * 100 · gain / (gain + loss). While the closes do not move (a market that trades nothing, its bars carrying
 * the last close) both averages only decay, by the same factor each bar, so their ratio, and RSI, stay
 * where the last move left them. TA-Lib reads averages below its epsilon (we had 1e-12 of the price) as
 * RSI 0: a still market turned "oversold" after about 300 bars, from 47 to 0 in one bar with nothing
 * traded, and mean reversion bought it with a stop 1e-8 below the entry. Averages of exactly 0 (no
 * movement at all since the series started) are neutral: 50.
 */
function rsiOf(gain: number, loss: number): number {
  const total = gain + loss;
  return total > 0 ? 100 * (gain / total) : 50;
}
