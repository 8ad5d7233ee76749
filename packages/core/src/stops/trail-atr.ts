import { Atr } from '../indicators/atr';
import type { OhlcvBar } from '../indicators/ohlcv-bar';

/** A bar with the time it opened, as a candle carries it. */
export interface TimedBar extends OhlcvBar {
  readonly openTime: number;
}

/**
 * The ATR a stop trails by, taking each bar once and in open-time order. A candle redelivered after a
 * restart or a missed ack, or one that arrives late, would otherwise be averaged in a second time; and
 * a bar read from the candles table at warm-up and then delivered live is the same bar.
 */
export class TrailAtr {
  private readonly atr: Atr;
  private last: number | undefined;
  private count = 0;

  constructor(period: number) {
    this.atr = new Atr(period);
  }

  /** Takes the bar if it opened after the last one taken; false (and nothing changes) otherwise. */
  take(bar: TimedBar): boolean {
    if (this.last !== undefined && bar.openTime <= this.last) return false;
    this.last = bar.openTime;
    this.count++;
    this.atr.push(bar);
    return true;
  }

  get value(): number | null {
    return this.atr.value;
  }

  get isReady(): boolean {
    return this.atr.isReady;
  }

  /** How many bars it has taken: the further past the period, the less it depends on where it started. */
  get taken(): number {
    return this.count;
  }

  /** Open time of the newest bar taken; undefined before the first. */
  get lastOpenTime(): number | undefined {
    return this.last;
  }
}
