import type { OhlcvBar } from './ohlcv-bar';

/**
 * Candles as struct-of-arrays: one Float64Array per field. A long history replayed through the indicators
 * (backtests, warm-up, benchmarks) reads 32 contiguous bytes per bar this way instead of chasing a pointer
 * to a ten-field candle object each time, which is where a replay over a large array spends its time.
 */
export class OhlcvColumns {
  readonly length: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;

  constructor(length: number) {
    this.length = length;
    this.open = new Float64Array(length);
    this.high = new Float64Array(length);
    this.low = new Float64Array(length);
    this.close = new Float64Array(length);
    this.volume = new Float64Array(length);
  }

  static from(bars: readonly OhlcvBar[]): OhlcvColumns {
    const columns = new OhlcvColumns(bars.length);
    for (let i = 0; i < bars.length; i++) columns.set(i, bars[i]!);
    return columns;
  }

  set(i: number, bar: OhlcvBar): void {
    this.open[i] = bar.open;
    this.high[i] = bar.high;
    this.low[i] = bar.low;
    this.close[i] = bar.close;
    this.volume[i] = bar.volume;
  }

  /** Bar i as an object, for the non-hot paths (previews, tests). */
  at(i: number): OhlcvBar {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`OhlcvColumns: bar ${i} of ${this.length}`);
    return {
      open: this.open[i]!,
      high: this.high[i]!,
      low: this.low[i]!,
      close: this.close[i]!,
      volume: this.volume[i]!,
    };
  }
}
