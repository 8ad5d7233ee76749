import { type Bus, RepeatedErrors } from '@ballast/bus';
import { type BookUpdate, type Clock, Subjects, subject, type Trade } from '@ballast/contracts';
import { type BookSides, fromFuture } from '@ballast/core';
import { CandleRepository, type Database } from '@ballast/db';
import {
  bybitTopics,
  CcxtRest,
  type FeedSubscription,
  type FrameResult,
  isErrorReason,
  type VenueFeed,
} from '@ballast/exchange';
import type { Logger } from '@ballast/service-kit';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { BinanceDepthPipeline } from './binance-depth-pipeline';
import { BookPublisher } from './book-publisher';
import { BybitDepthPipeline } from './bybit-depth-pipeline';
import { CandlePipeline } from './candle-pipeline';
import type { MarketDataConfig } from './config';
import { FeedStatusReporter } from './feed-status-reporter';
import { MarketDataMetrics } from './metrics';
import { SubscribeRetry } from './subscribe-retry';
import { venueFeed } from './venue-feed';
import { WsConnection } from './ws-connection';

/** Sends of one refused subscribe request per connection before it is left to the next connection. */
const SUBSCRIBE_ATTEMPTS = 5;

export interface MarketDataDeps {
  config: MarketDataConfig;
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  metrics: Registry;
  /** Uniform in [0, 1): reconnect and retry jitter. */
  random01: () => number;
}

export interface MarketDataHandle extends AsyncDisposable {
  /** Our book for a symbol (undefined while it resyncs); for tests and diagnostics. */
  book(symbol: string): (BookSides & { lastUpdateId: number }) | undefined;
  /** Resolves when every candle received so far is stored and published. */
  candlesIdle(): Promise<void>;
}

/** Wires one venue connection to candles, trades, depth and feed status. */
export async function startMarketData(deps: MarketDataDeps): Promise<MarketDataHandle> {
  const { config, bus, clock } = deps;
  const log = deps.log.child({ venue: config.VENUE });
  const metrics = new MarketDataMetrics(deps.metrics, clock);
  metrics.declareVenue(config.VENUE, config.SYMBOLS);
  const feed = venueFeed(config);
  const subscription: FeedSubscription = {
    symbols: config.SYMBOLS,
    channels: config.CHANNELS,
    timeframe: config.TIMEFRAME,
  };
  const rest = CcxtRest.create(
    {
      exchangeId: config.VENUE,
      marketType: feed.market,
      ...(config.REST_URL ? { baseUrl: config.REST_URL } : {}),
    },
    {
      clock,
      random01: deps.random01,
      minIntervalMs: config.REST_MIN_INTERVAL_MS,
      retry: { attempts: 5, baseMs: config.REST_RETRY_BASE_MS, capMs: 10_000 },
      banWaitMs: config.REST_BAN_WAIT_MS,
    },
  );
  metrics.watchRestWait(config.VENUE, () => rest.blockedUntil());
  const status = new FeedStatusReporter({
    bus,
    venue: config.VENUE,
    symbols: config.SYMBOLS,
    clock,
    log,
    staleAfterMs: config.STALE_AFTER_MS,
    downAfterMs: config.DOWN_AFTER_MS,
    onStaleness: (symbol, stale) => metrics.markStale(config.VENUE, symbol, stale),
  });
  // A NATS outage fails every book update and trade: one line per kind every few seconds says it.
  const publishErrors = new RepeatedErrors(log, () => clock.now());
  const books = new BookPublisher(bus, config.PUBLISH_BOOK, (err) =>
    publishErrors.error('book', { err: String(err) }, 'publishing book update failed'),
  );
  const candles = new CandlePipeline({
    venue: config.VENUE,
    timeframe: config.TIMEFRAME,
    symbols: config.SYMBOLS,
    repo: new CandleRepository(deps.db),
    rest,
    bus,
    clock,
    metrics,
    log,
    repair: {
      retryBaseMs: config.BACKFILL_RETRY_BASE_MS,
      retryCapMs: config.BACKFILL_RETRY_CAP_MS,
      banWaitMs: config.REST_BAN_WAIT_MS,
      maxHeld: config.BACKFILL_MAX_HELD,
    },
    random01: deps.random01,
    status: (symbol, state, reason) =>
      status.condition(symbol, 'backfilling', state === 'backfilling', reason),
  });
  await candles.seed();

  let connection: WsConnection | undefined;
  const bookSymbols = config.CHANNELS.includes('book') ? config.SYMBOLS : [];
  const depth =
    feed.bookSync === 'rest_snapshot'
      ? new BinanceDepthPipeline({
          venue: config.VENUE,
          rest,
          snapshotLimit: config.DEPTH_SNAPSHOT_LIMIT,
          clock,
          books,
          metrics,
          log,
          retry: {
            baseMs: config.SNAPSHOT_RETRY_BASE_MS,
            capMs: config.SNAPSHOT_RETRY_CAP_MS,
            banWaitMs: config.REST_BAN_WAIT_MS,
          },
          random01: deps.random01,
          status: (symbol, state, reason) =>
            status.condition(symbol, 'resyncing', state === 'resyncing', reason),
          symbols: bookSymbols,
        })
      : new BybitDepthPipeline({
          venue: config.VENUE,
          books,
          metrics,
          log,
          status: (symbol, state, reason) =>
            status.condition(symbol, 'resyncing', state === 'resyncing', reason),
          resubscribe: (symbol) => resubscribeBybitBook(connection, symbol, subscription),
          snapshotTimeoutMs: config.BOOK_SNAPSHOT_TIMEOUT_MS,
          symbols: bookSymbols,
        });

  const subscribeMessages = feed.subscribeMessages(subscription);
  const subscribes = new SubscribeRetry({
    messages: subscribeMessages,
    send: (text) => connection?.send(text) ?? false,
    backoff: { baseMs: config.RECONNECT_BASE_MS, capMs: config.RECONNECT_CAP_MS },
    maxAttempts: SUBSCRIBE_ATTEMPTS,
    random01: deps.random01,
    log,
  });
  const router = new FrameRouter({
    feed,
    subscription,
    subscribes,
    bus,
    clock,
    metrics,
    log,
    publishErrors,
    status,
    candles,
    depth,
  });
  connection = new WsConnection(
    {
      venue: config.VENUE,
      url: feed.url(subscription),
      subscribeMessages,
      appPing: feed.heartbeat,
      watchdogMs: config.HEARTBEAT_TIMEOUT_MS,
      handshakeTimeoutMs: config.HANDSHAKE_TIMEOUT_MS,
      plannedReconnectMs: config.PLANNED_RECONNECT_MS,
      backoff: {
        baseMs: config.RECONNECT_BASE_MS,
        capMs: config.RECONNECT_CAP_MS,
        stableMs: config.RECONNECT_STABLE_MS,
      },
      random01: deps.random01,
      clock,
      log,
    },
    {
      frame: (raw) => router.onFrame(raw),
      open: ({ reconnect }) => {
        // Every connection's books start from its own snapshots, the first connection's too.
        depth.reset();
        subscribes.reset();
        status.connection(true, reconnect ? 'reconnected' : 'connected');
        candles.catchUp();
      },
      lost: ({ reason, delayMs }) => {
        metrics.reconnects.inc({ venue: config.VENUE, reason });
        status.connection(false, `${reason}; retrying in ${delayMs} ms`);
      },
    },
  );
  status.start();
  connection.start();
  log.info(
    { symbols: config.SYMBOLS, channels: config.CHANNELS, timeframe: config.TIMEFRAME },
    'market data started',
  );

  return {
    book: (symbol) => depth.book(symbol),
    candlesIdle: () => candles.idle(),
    async [Symbol.asyncDispose]() {
      await connection[Symbol.asyncDispose]();
      status[Symbol.dispose]();
      candles[Symbol.dispose]();
      depth[Symbol.dispose]();
      subscribes[Symbol.dispose]();
      await candles.idle();
    },
  };
}

function resubscribeBybitBook(
  connection: WsConnection | undefined,
  symbol: string,
  subscription: FeedSubscription,
): void {
  const args = bybitTopics({ ...subscription, symbols: [symbol], channels: ['book'] });
  connection?.send(JSON.stringify({ op: 'unsubscribe', args }));
  connection?.send(JSON.stringify({ op: 'subscribe', args }));
}

interface RouterDeps {
  feed: VenueFeed;
  subscription: FeedSubscription;
  subscribes: SubscribeRetry;
  bus: Bus;
  clock: Clock;
  metrics: MarketDataMetrics;
  log: Logger;
  publishErrors: RepeatedErrors;
  status: FeedStatusReporter;
  candles: CandlePipeline;
  depth: BinanceDepthPipeline | BybitDepthPipeline;
}

/** Every frame → parsed payloads → the pipeline for its kind; every outcome counted. */
class FrameRouter {
  private readonly symbols: ReadonlySet<string>;
  private readonly candlesSubscribed: boolean;

  constructor(private readonly deps: RouterDeps) {
    this.symbols = new Set(deps.subscription.symbols);
    this.candlesSubscribed = deps.subscription.channels.includes('candles');
  }

  onFrame(raw: string): void {
    for (const result of this.deps.feed.parseFrame(raw)) this.route(result);
  }

  private route(result: FrameResult): void {
    if (result.kind === 'rejected') {
      this.count(result.rejected);
      if (isErrorReason(result.rejected))
        this.deps.log.warn(
          { outcome: result.rejected, detail: result.detail.slice(0, 300) },
          'frame dropped',
        );
      // A refused subscribe request of ours: sent again after a backoff.
      if (result.request !== undefined) this.deps.subscribes.onRefused(result.request, result.detail);
      // An open kline: the symbol's stream is alive (not stale, no growing lag) though nothing is published.
      if (result.heard && this.symbols.has(result.heard.symbol)) {
        const { symbol, time, openBar } = result.heard;
        this.lag(time);
        if (openBar?.timeframe === this.deps.subscription.timeframe)
          this.deps.candles.onOpenBar(symbol, openBar.openTime, time);
        this.deps.status.touch(symbol);
      }
      return;
    }
    const payload = result.payload;
    if (!this.symbols.has(payload.symbol)) {
      this.count('unexpected_symbol');
      return;
    }
    // Not touched: a symbol whose every update is dropped goes stale, as it should.
    if (result.kind !== 'candle' && this.fromFuture(result.kind, payload.symbol, result.payload.time)) return;
    this.dispatch(result);
    // After the pipeline: a book that just started resyncing must not be announced live first.
    this.deps.status.touch(payload.symbol);
  }

  private dispatch(result: Exclude<FrameResult, { kind: 'rejected' }>): void {
    switch (result.kind) {
      case 'candle':
        this.lag(result.payload.closeTime);
        if (result.payload.timeframe !== this.deps.subscription.timeframe) this.count('unexpected_series');
        // Counted by the pipeline once sequenced: ok, duplicate, out_of_order or misaligned.
        else this.deps.candles.onCandle(result.payload);
        return;
      case 'trade':
        this.venueTime(result.payload.symbol, result.payload.time);
        this.publishTrade(result.payload);
        this.count('ok');
        return;
      case 'book':
        this.venueTime(result.payload.symbol, result.payload.time);
        this.count(this.onBook(result.payload, result.sequence));
        return;
    }
  }

  /** A trade's or book update's event time: the feed's lag, and a clock for candles overdue. */
  private venueTime(symbol: string, eventTime: number): void {
    this.lag(eventTime);
    if (this.candlesSubscribed) this.deps.candles.onVenueTime(symbol, eventTime);
  }

  private onBook(update: BookUpdate, sequence: number | null): string {
    const depth = this.deps.depth;
    return depth instanceof BinanceDepthPipeline ? depth.onDiff(update) : depth.onUpdate(update, sequence);
  }

  private publishTrade(trade: Trade): void {
    const to = subject(Subjects.trade, { exchange: trade.exchange, symbol: trade.symbol });
    this.deps.bus.publish(to, trade, { eventTime: trade.time }).catch((err: unknown) => {
      this.deps.publishErrors.error('trade', { err: String(err) }, 'publishing trade failed');
    });
  }

  /**
   * A trade or book update stamped from the future (core fromFuture) (times in another unit,
   * microseconds, or a glitch) is dropped as candles are: its time would make the feed lag negative
   * (the lag alert could never fire) and pass every earlier bar as overdue.
   */
  private fromFuture(kind: 'trade' | 'book', symbol: string, eventTime: number): boolean {
    const now = this.deps.clock.now();
    if (!fromFuture(eventTime, now)) return false;
    this.count('from_future');
    this.deps.publishErrors.error(
      `from_future_${kind}`,
      { kind, symbol, eventTime, now },
      'event from the future (times in another unit?): dropped',
    );
    return true;
  }

  /** A payload's event time: the feed's lag is measured from it, unless it lies in the future. */
  private lag(eventTime: number): void {
    if (fromFuture(eventTime, this.deps.clock.now())) return;
    this.deps.metrics.eventReceived(this.deps.feed.venue, eventTime);
  }

  private count(outcome: string): void {
    this.deps.metrics.frames.inc({ venue: this.deps.feed.venue, outcome });
  }
}
