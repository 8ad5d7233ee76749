import { Counter, Gauge, type Registry } from 'prom-client';

/** Prometheus metrics of the market-data service, registered on the service's registry. */
export class MarketDataMetrics {
  readonly reconnects: Counter<'venue' | 'reason'>;
  readonly frames: Counter<'venue' | 'outcome'>;
  readonly gaps: Counter<'kind'>;
  readonly backfilled: Counter;
  readonly feedLag: Gauge<'venue'>;

  constructor(registry: Registry) {
    this.reconnects = new Counter({
      name: 'ballast_md_ws_reconnects_total',
      help: 'WebSocket reconnects by venue and reason (closed, error, heartbeat, planned, connect_failed)',
      labelNames: ['venue', 'reason'],
      registers: [registry],
    });
    this.frames = new Counter({
      name: 'ballast_md_frames_total',
      help: 'Payloads received by venue and outcome: ok, or the reason they were dropped',
      labelNames: ['venue', 'outcome'],
      registers: [registry],
    });
    this.gaps = new Counter({
      name: 'ballast_md_gaps_total',
      help: 'Sequence gaps detected: candle (missing open times) or depth (update id break)',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.backfilled = new Counter({
      name: 'ballast_md_backfilled_candles_total',
      help: 'Closed candles fetched over REST to fill gaps and stored before publishing',
      registers: [registry],
    });
    this.feedLag = new Gauge({
      name: 'ballast_md_feed_lag_seconds',
      help: 'Clock now minus the event time of the last payload received, by venue',
      labelNames: ['venue'],
      registers: [registry],
    });
  }
}
