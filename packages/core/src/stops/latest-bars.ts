/** A bar of a series: which market and timeframe, and when it opened. */
export interface SeriesBar {
  readonly symbol: string;
  readonly timeframe: string;
  readonly openTime: number;
}

/**
 * The newest bar seen per series (symbol and timeframe). A bar not newer than it (redelivered after a
 * missed ack, or late) is past: its prices were checked when it was first seen, and a stop moved since
 * must not be judged by them.
 */
export class LatestBars {
  private readonly last = new Map<string, number>();

  /** Notes the bar if it opened after the newest seen of its series; false (nothing noted) otherwise. */
  take(bar: SeriesBar): boolean {
    const key = `${bar.symbol}|${bar.timeframe}`;
    const last = this.last.get(key);
    if (last !== undefined && bar.openTime <= last) return false;
    this.last.set(key, bar.openTime);
    return true;
  }
}
