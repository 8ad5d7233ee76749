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
    this.pushValues(bar.close, bar.volume);
  }

  /** push() from the bar's numbers. */
  pushValues(close: number, volume: number): void {
    this.current = this.nextOf(close, volume);
    this.previousClose = close;
    this.started = true;
  }

  preview(bar: OhlcvBar): number {
    return this.nextOf(bar.close, bar.volume);
  }

  private nextOf(close: number, volume: number): number {
    if (!this.started) return volume;
    if (close > this.previousClose) return this.current + volume;
    if (close < this.previousClose) return this.current - volume;
    return this.current;
  }
}
