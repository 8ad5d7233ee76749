import type { FeedChannel } from '@ballast/exchange';
import { commaList, marketDataFeedVariables, timerMs } from '@ballast/service-kit';
import { z } from 'zod';
import { venueFeed } from './venue-feed';

const CHANNELS = ['candles', 'trades', 'book'] as const satisfies readonly FeedChannel[];

const channelList = z
  .string()
  .transform(commaList)
  .pipe(z.array(z.enum(CHANNELS)).min(1, 'at least one of candles, trades, book'));

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The market-data service's own variables (merged over service-kit's base config by runService). */
export const marketDataConfigSchema = z
  .object({
    /** VENUE, SYMBOLS, TIMEFRAME, REST_URL: shared with `ballast backfill --warm-up`. */
    ...marketDataFeedVariables,
    CHANNELS: channelList.default(['candles', 'trades', 'book']),
    /** WebSocket base (e.g. a simulator's `ws://127.0.0.1:8900`); the venue's public stream when unset. */
    WS_URL: z
      .string()
      .regex(/^wss?:\/\//, 'ws:// or wss:// URL')
      .optional(),
    STALE_AFTER_MS: ms(30_000),
    /**
     * A symbol held this long by a reconnect, a book resync or a candle backfill is reported down (an
     * alert): entries on it are refused from the first moment, the operator is told after this long.
     */
    DOWN_AFTER_MS: ms(300_000),
    HEARTBEAT_TIMEOUT_MS: timerMs(60_000),
    /** A connect not open (TCP, TLS, HTTP upgrade) within this long fails and is retried with backoff. */
    HANDSHAKE_TIMEOUT_MS: timerMs(10_000),
    /** Binance cuts every connection after 24 h; reconnect on our terms before that. */
    PLANNED_RECONNECT_MS: timerMs(23 * 3_600_000),
    RECONNECT_BASE_MS: timerMs(500),
    RECONNECT_CAP_MS: timerMs(30_000),
    /** A connection that lived this long resets the backoff. */
    RECONNECT_STABLE_MS: ms(60_000),
    /** Book deltas are the bulk of the traffic: turn publishing off when nobody needs them. */
    PUBLISH_BOOK: flag.default(true),
    DEPTH_SNAPSHOT_LIMIT: ms(1_000),
    /** Spacing between REST calls (Binance: 1,200 weight a minute). */
    REST_MIN_INTERVAL_MS: timerMs(100),
    /** First backoff of a REST request's own retries (5 tries, capped at 10 s). */
    REST_RETRY_BASE_MS: timerMs(250),
    /** A backfill whose requests ran out of retries is tried again after capped, jittered backoff. */
    BACKFILL_RETRY_BASE_MS: timerMs(1_000),
    BACKFILL_RETRY_CAP_MS: timerMs(60_000),
    /** A depth snapshot whose requests ran out of retries (or came back too old) is fetched again so. */
    SNAPSHOT_RETRY_BASE_MS: timerMs(500),
    SNAPSHOT_RETRY_CAP_MS: timerMs(60_000),
    /** Bybit: a book (subscribed on connect or after a gap) whose snapshot has not come within this is re-subscribed. */
    BOOK_SNAPSHOT_TIMEOUT_MS: timerMs(10_000),
    /**
     * An IP ban (HTTP 418) holds every REST call to the venue, whatever the symbol, until its
     * Retry-After; without one, for this long (Binance bans last 2 minutes to 3 days, and every request
     * meanwhile prolongs them).
     */
    REST_BAN_WAIT_MS: timerMs(300_000),
    /**
     * Newer candles held per symbol while its gap is unfilled (never published before it). Beyond
     * this they are let go and the backfill range widened over them: REST brings them back.
     */
    BACKFILL_MAX_HELD: ms(1_000),
  })
  .superRefine((config, ctx) => {
    // One connection carries every stream: over the venue's limit it would be refused at connect, opaquely
    // and again at every reconnect, so the service refuses to start instead.
    const limit = venueFeed({ VENUE: config.VENUE, SYMBOLS: config.SYMBOLS, WS_URL: undefined }).maxStreams;
    const streams = config.SYMBOLS.length * config.CHANNELS.length;
    if (limit === null || streams <= limit) return;
    ctx.addIssue({
      code: 'custom',
      path: ['SYMBOLS'],
      message: `${config.SYMBOLS.length} symbols × ${config.CHANNELS.length} channels = ${streams} streams, over ${config.VENUE}'s ${limit} per connection: fewer SYMBOLS or CHANNELS, or one market-data process per share of the symbols`,
    });
  });

export type MarketDataConfig = z.output<typeof marketDataConfigSchema>;
