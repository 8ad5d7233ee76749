import type { Candle, Timeframe } from '@ballast/contracts';
import { TIMEFRAME_MS } from '@ballast/contracts';

export type ResampleRejectionReason = 'series_mismatch' | 'timeframe_mismatch' | 'out_of_order';

export type ResampleOutcome =
  | { ok: true; closed: Candle[] }
  | { ok: false; reason: ResampleRejectionReason; message: string };

/**
 * Builds higher-timeframe candles from closed lower-timeframe ones, buckets aligned to UTC epoch
 * multiples (4h at 00/04/08…, 1d at 00:00). A bucket closes when its last source candle arrives, or, when
 * that candle is missing (exchange outage), when a candle of a later bucket arrives: bars are never
 * invented for gaps.
 *
 * A source candle with zero volume had no trades; its prices are the previous close carried forward, not
 * a traded price, so it adds nothing to open/high/low/close unless the whole bucket is empty. Binance does
 * the same: ETHUSDT 4h 2017-09-09 20:00 opens at 298.62, the first trade, not at the 298.76 of the
 * zero-volume 1h candle before it.
 */
export class CandleResampler {
  readonly to: Timeframe;
  private readonly bucketMs: number;
  private bucket: Candle | null = null;
  private bucketTraded = false;
  private lastOpenTime = Number.NEGATIVE_INFINITY;

  constructor(to: Timeframe) {
    this.to = to;
    this.bucketMs = TIMEFRAME_MS[to];
  }

  /** The bucket still being built, if any (a copy). */
  get forming(): Candle | null {
    return this.bucket ? { ...this.bucket } : null;
  }

  push(candle: Candle): ResampleOutcome {
    const rejection = this.check(candle);
    if (rejection) return rejection;
    this.lastOpenTime = candle.openTime;
    const closed: Candle[] = [];
    const start = Math.floor(candle.openTime / this.bucketMs) * this.bucketMs;
    if (this.bucket && this.bucket.openTime !== start) {
      closed.push(this.bucket);
      this.bucket = null;
    }
    if (this.bucket) this.merge(this.bucket, candle);
    else this.open(candle, start);
    if (candle.closeTime >= start + this.bucketMs - 1) {
      closed.push(this.bucket!);
      this.bucket = null;
    }
    return { ok: true, closed };
  }

  private check(candle: Candle): (ResampleOutcome & { ok: false }) | null {
    const sourceMs = TIMEFRAME_MS[candle.timeframe];
    if (sourceMs > this.bucketMs || this.bucketMs % sourceMs !== 0) {
      return {
        ok: false,
        reason: 'timeframe_mismatch',
        message: `${candle.timeframe} candles do not divide ${this.to} buckets`,
      };
    }
    const b = this.bucket;
    if (b && (b.exchange !== candle.exchange || b.symbol !== candle.symbol)) {
      return {
        ok: false,
        reason: 'series_mismatch',
        message: `${candle.exchange}/${candle.symbol} pushed into ${b.exchange}/${b.symbol}`,
      };
    }
    if (candle.openTime <= this.lastOpenTime) {
      return { ok: false, reason: 'out_of_order', message: `${candle.openTime} after ${this.lastOpenTime}` };
    }
    return null;
  }

  private open(candle: Candle, start: number): void {
    this.bucket = {
      ...candle,
      timeframe: this.to,
      openTime: start,
      closeTime: start + this.bucketMs - 1,
    };
    this.bucketTraded = candle.volume > 0;
  }

  private merge(b: Candle, candle: Candle): void {
    b.volume += candle.volume;
    if (candle.volume > 0 && !this.bucketTraded) {
      // The first trade of the bucket: prices so far were carried, not traded.
      b.open = candle.open;
      b.high = candle.high;
      b.low = candle.low;
      b.close = candle.close;
      this.bucketTraded = true;
      return;
    }
    if (candle.volume === 0 && this.bucketTraded) return;
    if (candle.high > b.high) b.high = candle.high;
    if (candle.low < b.low) b.low = candle.low;
    b.close = candle.close;
  }
}
