import type { Timeframe } from '@ballast/contracts';
import type { FrameResult } from './frame-result';

export type MarketType = 'spot' | 'linear';

export type FeedChannel = 'candles' | 'trades' | 'book';

/** What one connection carries: every channel for every symbol (normalised, e.g. `BTC-USDT`). */
export interface FeedSubscription {
  symbols: readonly string[];
  channels: readonly FeedChannel[];
  /** Candle timeframe, when `candles` is among the channels. */
  timeframe: Timeframe;
}

export interface VenueFeedOptions {
  /** WebSocket base (a simulator's); the venue's public stream when unset. */
  baseUrl?: string;
  /**
   * The symbols to be subscribed (normalised, `BTC-TRY`): frames name them in the venue's form
   * (`BTCTRY`), which only these make readable when the quote is none the normaliser knows.
   */
  symbols?: readonly string[];
}

/**
 * One venue's public market-data WebSocket, as data plus pure functions; the connection itself
 * (sockets, reconnects) lives elsewhere and works for every venue alike.
 */
export interface VenueFeed {
  /** Contracts `ExchangeId`, e.g. `binance`. */
  readonly venue: string;
  /**
   * How the book starts: `rest_snapshot` buffers diffs and fetches a REST snapshot (Binance);
   * `stream_snapshot` gets a snapshot on the stream after subscribing (Bybit).
   */
  readonly bookSync: 'rest_snapshot' | 'stream_snapshot';
  /** The markets its symbols name, for REST on the same instruments: spot or USDT-margined perpetuals. */
  readonly market: MarketType;
  /**
   * Streams (one per symbol and channel) one connection may carry, or null when the venue sets no
   * such limit: Binance refuses a combined-stream URL naming more than 1,024.
   */
  readonly maxStreams: number | null;
  /** An application-level ping the venue requires, if any. */
  readonly heartbeat: { intervalMs: number; message: string } | null;
  url(subscription: FeedSubscription): string;
  /** Messages to send after connecting (none when the URL itself names the streams). */
  subscribeMessages(subscription: FeedSubscription): string[];
  /** Never throws: every frame becomes payloads or typed rejections. */
  parseFrame(raw: string): FrameResult[];
}
