/** The part of a candle the indicators read; a contracts `Candle` satisfies it. */
export interface OhlcvBar {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}
