import type { FeatureOutcome } from '@ballast/core';
import type { SeriesKey } from '@ballast/db';
import { Gauge, type Registry } from 'prom-client';

export type SeriesState = 'warming' | 'ready' | 'cold' | 'rejected';
const STATES: readonly SeriesState[] = ['warming', 'ready', 'cold', 'rejected'];

/**
 * Per series, whether it publishes: `warming` until its first vector, `ready` while it publishes,
 * `cold` from a hole that restarted it until it is ready again, `rejected` while its candles give no
 * vector (non-finite values, a failed resample). A series gone silent (no candle at all) keeps its state:
 * `ballast_features_last_vector_time_seconds` (its newest vector's bar close) tells it, and is alerted on.
 */
export class SeriesStates {
  private readonly gauge: Gauge;
  private readonly current = new Map<string, SeriesState>();
  private readonly lastVector: Gauge;
  /** Each series' child of `lastVector`, so a vector's update skips prom-client's label hashing. */
  private readonly lastVectorOf = new Map<string, Gauge.Internal<string>>();

  constructor(registry: Registry) {
    this.gauge = new Gauge({
      name: 'ballast_features_series_state',
      help: 'Per series, 1 for its current state (warming, ready, cold) and 0 for the others.',
      labelNames: ['exchange', 'symbol', 'timeframe', 'state'],
      registers: [registry],
    });
    this.lastVector = new Gauge({
      name: 'ballast_features_last_vector_time_seconds',
      help: 'Per series, when the bar of its newest vector closed (replayed history included), in Unix seconds.',
      labelNames: ['exchange', 'symbol', 'timeframe'],
      registers: [registry],
    });
  }

  cold(series: SeriesKey): void {
    this.set(series, 'cold');
  }

  /**
   * A candle's outcome: a vector makes the series ready; a warm-up keeps a cold series cold; a candle that
   * gives no vector for its values (not one out of order) makes it rejected.
   */
  observe(series: SeriesKey, outcome: FeatureOutcome, closeTime: number): void {
    if (outcome.status === 'ready') {
      this.set(series, 'ready');
      this.lastVectorChild(series).set((closeTime + 1) / 1000);
    } else if (outcome.status === 'warming' && this.current.get(keyOf(series)) !== 'cold')
      this.set(series, 'warming');
    else if (outcome.status === 'rejected' && outcome.reason !== 'out_of_order') this.set(series, 'rejected');
  }

  /** A configured series before its first delivery. */
  starting(series: SeriesKey): void {
    if (!this.current.has(keyOf(series))) this.set(series, 'warming');
  }

  /** Writes the state's gauges only when it changes: it is asked on every candle. */
  private set(series: SeriesKey, state: SeriesState): void {
    const key = keyOf(series);
    if (this.current.get(key) === state) return;
    this.current.set(key, state);
    const { exchange, symbol, timeframe } = series;
    for (const s of STATES) this.gauge.set({ exchange, symbol, timeframe, state: s }, s === state ? 1 : 0);
  }

  private lastVectorChild(series: SeriesKey): Gauge.Internal<string> {
    const key = keyOf(series);
    let child = this.lastVectorOf.get(key);
    if (!child) {
      const { exchange, symbol, timeframe } = series;
      child = this.lastVector.labels({ exchange, symbol, timeframe });
      this.lastVectorOf.set(key, child);
    }
    return child;
  }
}

function keyOf(s: SeriesKey): string {
  return `${s.exchange}|${s.symbol}|${s.timeframe}`;
}
