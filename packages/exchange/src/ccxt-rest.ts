import {
  type BookUpdate,
  type Candle,
  type Clock,
  TIMEFRAME_MS,
  type Timeframe,
  toCcxtSymbol,
} from '@ballast/contracts';
import ccxt, { type Exchange, type OHLCV, type OrderBook } from 'ccxt';
import { httpFailureOf, recordHttpFailures } from './http-failure';
import { checkBookUpdate, checkCandle } from './payload-checks';
import { IntervalLimiter, realSleep, type Sleep } from './rate-limiter';
import { isRetryable, RestError, toRestError } from './rest-error';
import { type RetryPolicy, withRetry } from './retry';
import type { MarketType } from './venue-feed';
import { DEFAULT_BAN_WAIT_MS, VenueWait } from './venue-wait';

/** The part of a ccxt exchange this wrapper uses; tests hand in a fake with the same shape. */
export type CcxtExchange = Pick<Exchange, 'loadMarkets' | 'fetchOHLCV' | 'fetchOrderBook'>;

export interface CcxtConfig {
  /** ccxt exchange id, e.g. `binance`, `bybit`. */
  exchangeId: string;
  /** A local simulator's origin (`http://127.0.0.1:8080`): replaces the origin of every `urls.api` entry. */
  baseUrl?: string;
  credentials?: { apiKey: string; secret: string };
  /** Load and address only these markets: `BTC/USDT` (spot) or `BTC/USDT:USDT` (linear). Spot for binance. */
  marketType?: MarketType;
  /** The recvWindow (ms) signed requests carry; ccxt's own default (10000 on Binance) when omitted. */
  recvWindowMs?: number;
}

/**
 * Builds a ccxt exchange; throws for an id ccxt does not know. `clock` reads an HTTP-date Retry-After
 * as a wait (see recordHttpFailures).
 */
export function createCcxtExchange(config: CcxtConfig, clock?: Clock): Exchange {
  const classes = ccxt as unknown as Record<string, (new (options: object) => Exchange) | undefined>;
  const Ctor = ccxt.exchanges.includes(config.exchangeId) ? classes[config.exchangeId] : undefined;
  if (!Ctor) throw new RestError('exchange', `unknown ccxt exchange id "${config.exchangeId}"`);
  const exchange = new Ctor({
    enableRateLimit: false,
    ...(config.credentials ?? {}),
    // Without these, spot loadMarkets with keys also calls four /sapi endpoints; and binance would
    // also load futures markets (/fapi, /dapi), which a spot-only venue or simulator does not serve.
    options: {
      fetchCurrencies: false,
      fetchMargins: false,
      ...(config.exchangeId === 'binance' || config.marketType
        ? { fetchMarkets: { types: [config.marketType ?? 'spot'] } }
        : {}),
      ...(config.recvWindowMs !== undefined ? { recvWindow: config.recvWindowMs } : {}),
    },
  });
  if (config.baseUrl) exchange.urls.api = overrideOrigins(exchange.urls.api, config.baseUrl);
  recordHttpFailures(exchange, clock);
  return exchange;
}

/** Every URL string inside `api` (nested or templated like `https://api.{hostname}`) → same path on `base`. */
function overrideOrigins<T>(api: T, base: string): T {
  const origin = base.replace(/\/+$/, '');
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/, origin) as T;
  if (api && typeof api === 'object')
    return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, overrideOrigins(v, base)])) as T;
  return api;
}

export interface CcxtRestDeps {
  clock: Clock;
  sleep?: Sleep;
  random01: () => number;
  /** Minimum spacing between requests (default 100 ms). */
  minIntervalMs?: number;
  retry?: RetryPolicy;
  /** An IP ban (HTTP 418) that named no Retry-After holds every call this long (default 5 minutes). */
  banWaitMs?: number;
}

export interface CandlePage {
  candles: Candle[];
  /** Rows the venue sent that fail the contract, with the reason; counted and logged by the caller. */
  rejected: Array<{ openTime: number; issue: string }>;
}

const PAGE_LIMIT = 1000;

/**
 * How long after a bar's close, by our clock, REST may be asked for it. A bar fetched right at the
 * boundary can still be forming at the venue (its clock behind ours, its kline lagging its trades);
 * once stored and published it would never be replaced (the stream's final one is then a duplicate).
 * fetchCandles leaves such a bar out; market-data leaves it to the stream's final candle, or to a
 * backfill once it has settled.
 */
export const REST_SETTLE_MS = 2_000;
const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, capMs: 10_000 };

/**
 * REST through ccxt: markets, paginated candles (closed only), depth snapshots, as contracts types.
 * A wait the venue names (a ban, a Retry-After) holds every call of this instance (see VenueWait).
 */
export class CcxtRest {
  private readonly limiter: IntervalLimiter;
  private readonly sleep: Sleep;
  private readonly retryPolicy: RetryPolicy;
  private readonly venueWait: VenueWait;

  constructor(
    private readonly exchange: CcxtExchange,
    /** Contracts exchange id stamped on payloads, e.g. `binance`. */
    readonly venue: string,
    private readonly deps: CcxtRestDeps,
    private readonly marketType: MarketType = 'spot',
  ) {
    this.sleep = deps.sleep ?? realSleep;
    this.limiter = new IntervalLimiter(deps.minIntervalMs ?? 100, deps.clock, this.sleep);
    this.retryPolicy = deps.retry ?? DEFAULT_RETRY;
    this.venueWait = new VenueWait({
      venue,
      clock: deps.clock,
      sleep: this.sleep,
      maxSleepMs: this.retryPolicy.capMs,
      banWaitMs: deps.banWaitMs ?? DEFAULT_BAN_WAIT_MS,
    });
  }

  static create(config: CcxtConfig, deps: CcxtRestDeps): CcxtRest {
    return new CcxtRest(createCcxtExchange(config, deps.clock), config.exchangeId, deps, config.marketType);
  }

  /** Epoch ms before which no call is sent (the venue named a wait), or null. */
  blockedUntil(): number | null {
    return this.venueWait.blockedUntil();
  }

  async loadMarkets(): Promise<Awaited<ReturnType<Exchange['loadMarkets']>>> {
    return this.call('loadMarkets', () => this.exchange.loadMarkets());
  }

  /**
   * Closed candles with open times in [since, until], oldest first, fetched 1,000 at a time: each page
   * starts at the previous page's last open time + one timeframe. A bar closed less than
   * REST_SETTLE_MS before the clock's now (or not closed) is left out: it may still be forming.
   */
  async fetchCandles(
    symbol: string,
    timeframe: Timeframe,
    since: number,
    until: number,
  ): Promise<CandlePage> {
    const step = TIMEFRAME_MS[timeframe];
    const closedBefore = this.deps.clock.now() - REST_SETTLE_MS;
    const page: CandlePage = { candles: [], rejected: [] };
    let cursor = since;
    while (cursor <= until) {
      const rows = await this.call(`fetchOHLCV ${symbol} ${timeframe}`, () =>
        this.exchange.fetchOHLCV(this.ccxtSymbol(symbol), timeframe, cursor, PAGE_LIMIT),
      );
      const lastOpen = rows.at(-1)?.[0];
      for (const row of rows)
        this.collect(row, { symbol, timeframe, step, since: cursor, until, closedBefore }, page);
      // Stop on an empty page, or one that does not advance (a venue ignoring `since`).
      if (lastOpen === undefined || lastOpen + step <= cursor) break;
      cursor = lastOpen + step;
    }
    return page;
  }

  /** A REST depth snapshot; its `lastUpdateId` is the venue's sequence (ccxt `nonce`), required for syncing. */
  async fetchDepthSnapshot(symbol: string, limit: number): Promise<BookUpdate> {
    const book: OrderBook = await this.call(`fetchOrderBook ${symbol}`, () =>
      this.exchange.fetchOrderBook(this.ccxtSymbol(symbol), limit),
    );
    if (book.nonce === undefined)
      throw new RestError('no_sequence', `fetchOrderBook ${symbol}: no update id (nonce)`);
    const payload: BookUpdate = {
      exchange: this.venue,
      symbol,
      kind: 'snapshot',
      firstUpdateId: null,
      lastUpdateId: book.nonce,
      bids: book.bids.map(([p, s]) => [p ?? Number.NaN, s ?? Number.NaN]),
      asks: book.asks.map(([p, s]) => [p ?? Number.NaN, s ?? Number.NaN]),
      time: book.timestamp ?? this.deps.clock.now(),
    };
    const issue = checkBookUpdate(payload);
    if (issue) throw new RestError('schema_invalid', `fetchOrderBook ${symbol}: ${issue}`);
    return payload;
  }

  /** `BTC-USDT` → `BTC/USDT`, or ccxt's `BTC/USDT:USDT` for the linear perpetual. */
  private ccxtSymbol(symbol: string): string {
    const spot = toCcxtSymbol(symbol);
    return this.marketType === 'linear' ? `${spot}:${spot.split('/')[1]}` : spot;
  }

  private collect(
    row: OHLCV,
    ctx: {
      symbol: string;
      timeframe: Timeframe;
      step: number;
      since: number;
      until: number;
      closedBefore: number;
    },
    page: CandlePage,
  ): void {
    const [openTime, open, high, low, close, volume] = row;
    if (openTime === undefined || openTime < ctx.since || openTime > ctx.until) return;
    if (openTime + ctx.step > ctx.closedBefore) return;
    const candle: Candle = {
      exchange: this.venue,
      symbol: ctx.symbol,
      timeframe: ctx.timeframe,
      openTime,
      closeTime: openTime + ctx.step - 1,
      open: open ?? Number.NaN,
      high: high ?? Number.NaN,
      low: low ?? Number.NaN,
      close: close ?? Number.NaN,
      volume: volume ?? Number.NaN,
    };
    const issue = checkCandle(candle);
    if (issue) page.rejected.push({ openTime, issue });
    else page.candles.push(candle);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(() => this.send(what, fn), this.retryPolicy, {
        retryable: isRetryable,
        waitAtLeast: (err) => httpFailureOf(err)?.retryAfterMs ?? 0,
        sleep: this.sleep,
        random01: this.deps.random01,
      });
    } catch (err) {
      throw toRestError(err, what);
    }
  }

  /** One request, once the venue's named wait has passed and in the limiter's turn. */
  private async send<T>(what: string, fn: () => Promise<T>): Promise<T> {
    do {
      await this.venueWait.pass(what);
      await this.limiter.acquire();
      // A wait named while this call queued for its turn holds it too.
    } while (this.venueWait.blockedUntil() !== null);
    try {
      return await fn();
    } catch (err) {
      this.venueWait.note(err);
      throw err;
    }
  }
}
