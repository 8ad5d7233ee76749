import type { Clock } from '@ballast/contracts';
import { REST_ERROR_REASONS } from '@ballast/exchange';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReconnectReason } from './ws-connection';

const RECONNECT_REASONS: readonly ReconnectReason[] = [
  'closed',
  'error',
  'heartbeat',
  'planned',
  'connect_failed',
];

/** A candle stored or published in vain (DB or bus down) is retried as a backfill: store_or_publish. */
const BACKFILL_FAILURE_REASONS = ['network', 'rate_limited', 'banned', 'exchange', 'store_or_publish'];
/** A failure that is no RestError (none is expected) is counted as unknown. */
const SNAPSHOT_FAILURE_REASONS = [...REST_ERROR_REASONS, 'unknown'];

/** Prometheus metrics of the market-data service, registered on the service's registry. */
export class MarketDataMetrics {
  readonly reconnects: Counter<'venue' | 'reason'>;
  readonly frames: Counter<'venue' | 'outcome'>;
  readonly gaps: Counter<'venue' | 'symbol' | 'kind'>;
  readonly backfilled: Counter;
  readonly backfillFailures: Counter<'venue' | 'reason'>;
  readonly snapshotFailures: Counter<'venue' | 'reason'>;
  readonly feedLag: Gauge<'venue'>;
  readonly symbolStale: Gauge<'venue' | 'symbol'>;
  readonly restBlocked: Gauge<'venue'>;
  /** Per venue, until when (epoch ms, or null) its REST holds every call: read at scrape time. */
  private readonly restBlockedUntil = new Map<string, () => number | null>();
  /** Per venue, the event time of the last payload received: the lag is measured from it at scrape time. */
  private readonly lastEventTime = new Map<string, number>();

  constructor(
    registry: Registry,
    private readonly clock: Clock,
  ) {
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
      help: 'Sequence gaps detected by venue and symbol: candle (missing open times) or depth (update id break)',
      labelNames: ['venue', 'symbol', 'kind'],
      registers: [registry],
    });
    this.backfilled = new Counter({
      name: 'ballast_md_backfilled_candles_total',
      help: 'Closed candles fetched over REST to fill gaps and stored before publishing',
      registers: [registry],
    });
    this.backfillFailures = new Counter({
      name: 'ballast_md_backfill_failures_total',
      help: 'Candle backfills that failed after their per-request retries and were scheduled again, by venue and reason (store_or_publish: the DB or the bus, for a backfill or a stream candle)',
      labelNames: ['venue', 'reason'],
      registers: [registry],
    });
    this.snapshotFailures = new Counter({
      name: 'ballast_md_depth_snapshot_failures_total',
      help: 'Depth snapshots that failed after their per-request retries and were scheduled again, by venue and reason (banned: HTTP 418)',
      labelNames: ['venue', 'reason'],
      registers: [registry],
    });
    this.feedLag = new Gauge({
      name: 'ballast_md_feed_lag_seconds',
      help: 'Clock now (at scrape) minus the event time of the last payload received, by venue: grows while a feed is dead',
      labelNames: ['venue'],
      registers: [registry],
      collect: () => this.measureLag(),
    });
    this.symbolStale = new Gauge({
      name: 'ballast_md_symbol_stale',
      help: '1 while a symbol has had no update for longer than STALE_AFTER_MS, by venue and symbol',
      labelNames: ['venue', 'symbol'],
      registers: [registry],
    });
    this.restBlocked = new Gauge({
      name: 'ballast_md_rest_blocked_seconds',
      help: 'Seconds until the venue may be asked over REST again, by venue: a wait it named (IP ban HTTP 418, Retry-After) holds every snapshot and backfill; 0 when none',
      labelNames: ['venue'],
      registers: [registry],
      collect: () => this.measureRestBlocked(),
    });
  }

  /** Where to read until when the venue's REST is held (CcxtRest.blockedUntil). */
  watchRestWait(venue: string, blockedUntil: () => number | null): void {
    this.restBlockedUntil.set(venue, blockedUntil);
  }

  private measureRestBlocked(): void {
    const now = this.clock.now();
    for (const [venue, blockedUntil] of this.restBlockedUntil)
      this.restBlocked.set({ venue }, Math.max(0, (blockedUntil() ?? now) - now) / 1000);
  }

  /** A symbol went without an update for longer than STALE_AFTER_MS (true), or updates resumed. */
  markStale(venue: string, symbol: string, stale: boolean): void {
    this.symbolStale.set({ venue, symbol }, stale ? 1 : 0);
  }

  /** A payload with this event time arrived from the venue. */
  eventReceived(venue: string, eventTime: number): void {
    this.lastEventTime.set(venue, eventTime);
  }

  private measureLag(): void {
    const now = this.clock.now();
    for (const [venue, eventTime] of this.lastEventTime)
      this.feedLag.set({ venue }, (now - eventTime) / 1000);
  }

  /** Declares a venue's counters at 0, so rates and alerts over them exist before the first event. */
  /** A sequence gap in a symbol's candles or depth updates. */
  gap(venue: string, symbol: string, kind: 'candle' | 'depth'): void {
    this.gaps.inc({ venue, symbol, kind });
  }

  declareVenue(venue: string, symbols: readonly string[]): void {
    for (const symbol of symbols)
      for (const kind of ['candle', 'depth']) this.gaps.inc({ venue, symbol, kind }, 0);
    for (const reason of RECONNECT_REASONS) this.reconnects.inc({ venue, reason }, 0);
    // Every reason either can be counted with: a series born at 1 hides its first failure from
    // increase(), so BallastBackfillFailing missed a one-off `exchange` failure.
    for (const reason of BACKFILL_FAILURE_REASONS) this.backfillFailures.inc({ venue, reason }, 0);
    for (const reason of SNAPSHOT_FAILURE_REASONS) this.snapshotFailures.inc({ venue, reason }, 0);
  }
}
