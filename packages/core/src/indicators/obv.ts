import type { OhlcvBar } from './ohlcv-bar';

/**
 * On-balance volume as TA-Lib's OBV: it starts at the first bar's volume (not 0), then adds the volume of
 * an up-close bar and subtracts that of a down-close bar. Ready from the first bar.
 */
export class Obv {
  private started = false;
  private previousClose = 0;
  private current = 0;

  get isReady(): boolean {
    return this.started;
  }

  get value(): number | null {
    return this.started ? this.current : null;
  }

  update(bar: OhlcvBar): number {
    this.push(bar);
    return this.current;
  }

  /** update() without returning the value: the allocation-free hot path. */
  push(bar: OhlcvBar): void {
    this.current = this.next(bar);
    this.previousClose = bar.close;
    this.started = true;
  }

  preview(bar: OhlcvBar): number {
    return this.next(bar);
  }

  private next(bar: OhlcvBar): number {
    if (!this.started) return bar.volume;
    if (bar.close > this.previousClose) return this.current + bar.volume;
    if (bar.close < this.previousClose) return this.current - bar.volume;
    return this.current;
  }
}
