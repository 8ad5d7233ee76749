import { type BookLevel, type Clock, type Fill, type OrderStatus, toCcxtSymbol } from '@ballast/contracts';
import { type MarketRules, subtractLots, sumLots, type VenueTrade, type WalkableBook } from '@ballast/core';
import ccxt, { type Exchange, type Order, type Trade } from 'ccxt';
import { type CcxtConfig, createCcxtExchange } from '../ccxt-rest';
import { RestError } from '../rest-error';
import { binanceErrorBody, binanceRefusalReason, type RefusedOrder } from './binance-refusal';
import { type CcxtMarketLimits, ccxtMarketMaximums } from './ccxt-market-rules';
import { holdNamedWaits } from './named-wait-hold';
import {
  type OrderVenue,
  type TradePage,
  VenueError,
  type VenueOrder,
  type VenueOrderRequest,
} from './order-venue';

/** Binance's largest myTrades page. */
const TRADE_PAGE = 1000;

/**
 * The most pages of one order's trades read (100,000 trades): past them, an order whose trades still
 * add up to less than it filled is refused as `fills_incomplete` rather than booked short.
 */
const ORDER_TRADE_PAGES = 100;

export type CcxtVenueConfig = CcxtConfig & {
  /** Contracts venue id stamped on events, e.g. `binance`. */
  venue: string;
  /** Reads an HTTP-date Retry-After and times the waits the venue names (the system clock when omitted). */
  clock?: Clock;
};

const systemClock: Clock = { now: () => Date.now() };

/**
 * How long loaded market rules (tick, step, minimums, filters) are used before they are read again:
 * Binance changes a market's filters now and then, and rules kept for the life of the process had every
 * order refused for precision until a restart. One exchangeInfo read an hour costs nothing.
 */
export const RULES_MAX_AGE_MS = 60 * 60_000;

/**
 * The least time between two reads of the rules (refreshRules, or a failed read tried again): a venue
 * refusing every order is not asked for its rules every order (exchangeInfo weighs 20 on Binance).
 */
export const RULES_MIN_REFRESH_MS = 60_000;

/**
 * A live venue through ccxt: any exchange ccxt knows, keys from the caller (env or secret files,
 * never logged), a local simulator through `baseUrl`. Errors become `VenueError`s with reasons.
 */
export class CcxtVenue implements OrderVenue {
  readonly id: string;
  /** A request that timed out may sit at the exchange's gateway and execute afterwards. */
  readonly landsLate = true;
  private readonly exchange: Exchange;
  private markets: Promise<unknown> | undefined;
  /** When the rules were last read (or a read of them last failed), on `clock`. */
  private marketsAt = 0;
  private readonly clock: Clock;
  /** Instances of this venue whose requests ccxt aborts after a timeout (the key), for bounded reads. */
  private readonly timed = new Map<number, Exchange>();

  constructor(
    private readonly config: CcxtVenueConfig,
    exchange?: Exchange,
  ) {
    this.id = config.venue;
    const clock = config.clock ?? systemClock;
    this.clock = clock;
    this.exchange = exchange ?? createCcxtExchange(config, clock);
    holdNamedWaits(this.exchange, { venue: config.venue, clock });
    // Spot only: other market types call endpoints a spot simulator does not serve.
    this.exchange.options.fetchMarkets = { types: ['spot'] };
    // The kill switch lists every open order; ccxt refuses that by default on Binance.
    this.exchange.options.warnOnFetchOpenOrdersWithoutSymbol = false;
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    const market = await this.call('loadMarkets', async () => {
      await this.loadMarkets();
      return this.exchange.market(toCcxtSymbol(symbol));
    });
    const tickSize = market.precision.price;
    const stepSize = market.precision.amount;
    if (tickSize === undefined || stepSize === undefined)
      throw new VenueError('unknown', `${symbol}: the venue reports no price or amount precision`);
    return {
      tickSize,
      stepSize,
      minQty: market.limits.amount?.min ?? 0,
      minNotional: market.limits.cost?.min ?? 0,
      ...ccxtMarketMaximums(market as CcxtMarketLimits),
    };
  }

  async orderBook(
    symbol: string,
    limit?: number,
    options: { timeoutMs?: number } = {},
  ): Promise<WalkableBook> {
    const exchange =
      options.timeoutMs === undefined ? this.exchange : await this.timedExchange(options.timeoutMs);
    const book = await this.call('fetchOrderBook', () =>
      exchange.fetchOrderBook(toCcxtSymbol(symbol), limit),
    );
    const levels = (xs: unknown[][]): BookLevel[] => xs.map(([p, q]) => [Number(p), Number(q)]);
    return { bids: levels(book.bids), asks: levels(book.asks) };
  }

  async submit(order: VenueOrderRequest): Promise<VenueOrder> {
    const market = await this.call('loadMarkets', async () => {
      await this.loadMarkets();
      return this.exchange.market(toCcxtSymbol(order.symbol));
    });
    const params: Record<string, unknown> = { clientOrderId: order.clientOrderId };
    // Only derivatives know reduce-only: Binance spot refuses the parameter (-1104), and a spot sell
    // cannot open a short anyway. `has.createReduceOnlyOrder` describes the exchange, not the market.
    if (order.reduceOnly && market.contract) params.reduceOnly = true;
    const rules = await this.marketRules(order.symbol).catch(() => undefined);
    let placed: Order;
    try {
      placed = await this.exchange.createOrder(
        toCcxtSymbol(order.symbol),
        order.type,
        order.side,
        order.qty,
        // A price on a market order is a quote amount to ccxt's Binance (quoteOrderQty), not a cap.
        order.type === 'limit' ? (order.price ?? undefined) : undefined,
        params,
      );
    } catch (err) {
      throw await this.refusal(err, order, rules);
    }
    return this.withFills(order.symbol, placed).catch(() => landedWithoutFills(order.symbol, placed));
  }

  async fetchByClientId(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    await this.call('loadMarkets', () => this.loadMarkets());
    try {
      const order = await this.call('fetchOrder', () =>
        this.exchange.fetchOrder('', toCcxtSymbol(symbol), { clientOrderId }),
      );
      return this.withFills(symbol, order);
    } catch (err) {
      if (err instanceof VenueError && err.reason === 'not_found') return undefined;
      throw err;
    }
  }

  async cancel(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    await this.call('loadMarkets', () => this.loadMarkets());
    try {
      const order = await this.call('cancelOrder', () =>
        this.exchange.cancelOrder('', toCcxtSymbol(symbol), { clientOrderId }),
      );
      return toVenueOrder(symbol, order, []);
    } catch (err) {
      if (err instanceof VenueError && err.reason === 'not_found') return undefined;
      throw err;
    }
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    await this.call('loadMarkets', () => this.loadMarkets());
    const orders = await this.call('fetchOpenOrders', () =>
      this.exchange.fetchOpenOrders(symbol ? toCcxtSymbol(symbol) : undefined),
    );
    return orders.map((o) => toVenueOrder(fromCcxtSymbol(o.symbol ?? ''), o, []));
  }

  async balances(): Promise<Record<string, number>> {
    const balance = await this.call('fetchBalance', () => this.exchange.fetchBalance());
    const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
    return Object.fromEntries(Object.entries(totals).map(([asset, v]) => [asset, Number(v ?? 0)]));
  }

  /** Binance pages by trade id (`fromId`); the cursor is the id after the last trade read. */
  async tradesSince(symbol: string, cursor: string | null): Promise<TradePage> {
    await this.call('loadMarkets', () => this.loadMarkets());
    const trades: VenueTrade[] = [];
    let fromId = cursor === null ? 0 : Number(cursor);
    for (;;) {
      const page = await this.call('fetchMyTrades', () =>
        this.exchange.fetchMyTrades(toCcxtSymbol(symbol), undefined, TRADE_PAGE, { fromId }),
      );
      trades.push(...page.map((t) => toVenueTrade(symbol, t)));
      const last = page.at(-1);
      if (last) fromId = Number(last.id) + 1;
      if (page.length < TRADE_PAGE) break;
    }
    return { trades, cursor: trades.length > 0 || cursor !== null ? String(fromId) : null };
  }

  /** The venue's clock (ccxt fetchTime), the one its trade times are on. */
  async serverTime(): Promise<number> {
    const time = await this.call('fetchTime', () => this.exchange.fetchTime());
    if (typeof time !== 'number' || !Number.isFinite(time))
      throw new VenueError('unknown', `${this.id}: the venue's time is unreadable (${String(time)})`);
    return time;
  }

  /** Binance reports the key's permissions; other venues give no reading we trust. */
  async withdrawalsEnabled(): Promise<boolean | undefined> {
    if (this.exchange.id !== 'binance') return undefined;
    const restrictions = (await this.call('apiRestrictions', () =>
      this.exchange.sapiGetAccountApiRestrictions(),
    )) as { enableWithdrawals?: unknown };
    return restrictions.enableWithdrawals !== false;
  }

  /**
   * Market orders report fills as trades; fetch them so events carry real prices and fees. All of them:
   * an order the venue says filled further than the trades read add up to (Binance's trade list lagging
   * its order) is refused as `fills_incomplete`, for the caller to ask again, never booked short.
   */
  private async withFills(symbol: string, order: Order): Promise<VenueOrder> {
    const filled = order.filled ?? 0;
    if (!(filled > 0)) return toVenueOrder(symbol, order, []);
    const { trades, qty } = await this.orderTrades(symbol, String(order.id), filled);
    if (subtractLots(filled, qty) > 0)
      throw new VenueError(
        'fills_incomplete',
        `fetchOrderTrades: ${symbol} order ${order.id} filled ${filled} but its ${trades.length} trades add up to ${qty}`,
      );
    return toVenueOrder(symbol, order, trades);
  }

  /**
   * An order's trades, oldest first, page by page until they add up to `filled`. Binance lists at most
   * one page per request (500 unless asked for up to 1,000), so the pages go by trade id: `orderId` with
   * `fromId`, a combination it takes. A page bringing no trade not read already ends the read (a venue
   * ignoring `fromId` would repeat its first), and so does ORDER_TRADE_PAGES.
   */
  private async orderTrades(
    symbol: string,
    orderId: string,
    filled: number,
  ): Promise<{ trades: Trade[]; qty: number }> {
    const byId = new Map<string, Trade>();
    let qty = 0;
    let fromId = 0;
    for (let page = 0; page < ORDER_TRADE_PAGES && subtractLots(filled, qty) > 0; page++) {
      const batch = await this.call('fetchOrderTrades', () =>
        this.exchange.fetchMyTrades(toCcxtSymbol(symbol), undefined, TRADE_PAGE, { orderId, fromId }),
      );
      const fresh = batch.filter((t) => t.order === orderId && !byId.has(String(t.id)));
      for (const t of fresh) byId.set(String(t.id), t);
      qty = sumLots([qty, ...fresh.map((t) => t.amount ?? 0)]);
      const last = batch.at(-1);
      if (!last || fresh.length === 0 || batch.length < TRADE_PAGE) break;
      fromId = Number(last.id) + 1;
    }
    return { trades: [...byId.values()], qty };
  }

  /**
   * This venue's ccxt instance with requests cancelled after `timeoutMs`: ccxt takes no per-request
   * signal, only a timeout per instance, past which it aborts the request. It is handed the markets
   * loaded here, so a read through it is the one request.
   */
  private async timedExchange(timeoutMs: number): Promise<Exchange> {
    await this.call('loadMarkets', () => this.loadMarkets());
    let timed = this.timed.get(timeoutMs);
    if (!timed) {
      timed = createCcxtExchange(this.config);
      timed.timeout = timeoutMs;
      timed.setMarketsFromExchange(this.exchange);
      this.timed.set(timeoutMs, timed);
    }
    return timed;
  }

  /**
   * Reads the market rules again now, unless they were read less than RULES_MIN_REFRESH_MS ago: after
   * the venue refused an order for its precision or filters, which rules changed on the venue bring
   * on. True when they were read; false when not asked or the read failed (the rules stay as they were).
   */
  async refreshRules(): Promise<boolean> {
    if (this.markets !== undefined && this.clock.now() - this.marketsAt < RULES_MIN_REFRESH_MS) return false;
    const read = this.readMarkets();
    this.markets = read.then(({ markets }) => markets);
    return (await this.call('loadMarkets', () => read)).fresh;
  }

  /**
   * Why the venue refused the order. A filter failure (-1013) is told apart (precision or range) on
   * the market's rules read again (refreshRules): the venue may have changed the step or tick, which
   * the rules loaded before would not show, and the order manager re-fits a slice refused for precision.
   */
  private async refusal(err: unknown, order: VenueOrderRequest, rules: MarketRules | undefined) {
    const body = err instanceof ccxt.ExchangeError ? binanceErrorBody(err.message) : undefined;
    const read = body?.code === -1013 && (await this.refreshRules().catch(() => false));
    const fresh = read ? await this.marketRules(order.symbol).catch(() => rules) : rules;
    return toVenueError(err, 'createOrder', fresh && { order, rules: fresh });
  }

  /** The markets loaded, read first, or again once older than RULES_MAX_AGE_MS. */
  private loadMarkets(): Promise<unknown> {
    if (this.markets === undefined || this.clock.now() - this.marketsAt >= RULES_MAX_AGE_MS)
      this.markets = this.readMarkets().then(({ markets }) => markets);
    return this.markets;
  }

  /**
   * One read of the markets (`fresh`: read now). A read that fails leaves the rules read before in use
   * (tried again RULES_MIN_REFRESH_MS later), or, with none, the next call reads again.
   */
  private readMarkets(): Promise<{ markets: unknown; fresh: boolean }> {
    const previous = this.markets;
    this.marketsAt = this.clock.now();
    const read = this.exchange.loadMarkets(previous !== undefined).then((markets) => {
      for (const timed of this.timed.values()) timed.setMarketsFromExchange(this.exchange);
      return { markets, fresh: true };
    });
    return read.catch(async (err: unknown) => {
      this.markets = previous;
      if (!previous) throw err;
      this.marketsAt = this.clock.now() - RULES_MAX_AGE_MS + RULES_MIN_REFRESH_MS;
      return { markets: await previous, fresh: false };
    });
  }

  private async call<T>(what: string, fn: () => Promise<T>, refused?: RefusedOrder): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toVenueError(err, what, refused);
    }
  }
}

function fromCcxtSymbol(symbol: string): string {
  return symbol.split(':')[0]?.replace('/', '-') ?? symbol;
}

const STATUS: Record<string, OrderStatus> = {
  open: 'accepted',
  closed: 'filled',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  expired: 'cancelled',
  rejected: 'rejected',
};

function toVenueOrder(symbol: string, order: Order, trades: Trade[]): VenueOrder {
  const filledQty = order.filled ?? 0;
  let status = STATUS[order.status ?? 'open'] ?? 'accepted';
  if (status === 'accepted' && filledQty > 0) status = 'partially_filled';
  return {
    clientOrderId: order.clientOrderId ?? '',
    venueOrderId: order.id ?? '',
    symbol,
    side: order.side === 'sell' ? 'sell' : 'buy',
    status,
    qty: order.amount ?? 0,
    price: order.type === 'limit' ? (order.price ?? null) : null,
    filledQty,
    avgPrice: order.average ?? null,
    fills: trades.map(toFill),
  };
}

/**
 * An order the venue took whose trades could not be read: it is on the venue whatever that read came
 * to, so it is never reported refused. Open with nothing filled yet (a filled status without its fills
 * would end the order with no fill counted): the order manager's next look-up reads status and trades.
 */
function landedWithoutFills(symbol: string, placed: Order): VenueOrder {
  return { ...toVenueOrder(symbol, placed, []), status: 'accepted', filledQty: 0, avgPrice: null };
}

function toVenueTrade(symbol: string, t: Trade): VenueTrade {
  const fill = toFill(t);
  return {
    tradeId: fill.tradeId,
    venueOrderId: String(t.order ?? ''),
    symbol,
    side: t.side === 'sell' ? 'sell' : 'buy',
    price: fill.price,
    qty: fill.qty,
    fee: fill.fee,
    feeAsset: fill.feeAsset,
    liquidity: fill.liquidity,
    time: fill.time,
  };
}

function toFill(t: Trade): Fill {
  return {
    tradeId: String(t.id ?? ''),
    price: t.price ?? 0,
    qty: t.amount ?? 0,
    fee: Math.abs(t.fee?.cost ?? 0),
    feeAsset: t.fee?.currency ?? 'UNKNOWN',
    liquidity: t.takerOrMaker === 'maker' ? 'maker' : 'taker',
    time: t.timestamp ?? 0,
  };
}

/**
 * Messages keep the venue's wording but never a signed request's query or body (timestamps, keys,
 * signatures). The ccxt error is not kept as the cause: its message and stack hold the signed URL,
 * and a logged error's cause is logged with it. A Binance refusal is named by its code and filter as
 * the paper venue names it (`refused`: the order and its rules, see `binanceRefusalReason`).
 */
export function toVenueError(err: unknown, what: string, refused?: RefusedOrder): VenueError {
  if (err instanceof VenueError) return err;
  // Refused unsent: the venue named a wait (a ban, a Retry-After) that has not passed.
  if (err instanceof RestError && (err.reason === 'banned' || err.reason === 'rate_limited'))
    return new VenueError('rate_limited', `${what}: ${err.message}`);
  const message = `${what}: ${err instanceof Error ? unsigned(err.message).slice(0, 300) : String(err)}`;
  const body = err instanceof ccxt.ExchangeError ? binanceErrorBody(err.message) : undefined;
  const named = body && binanceRefusalReason(body, refused);
  if (named) return new VenueError(named, message);
  const reason =
    err instanceof ccxt.OrderNotFound
      ? 'not_found'
      : err instanceof ccxt.InsufficientFunds
        ? 'insufficient_funds'
        : err instanceof ccxt.InvalidOrder || err instanceof ccxt.BadRequest
          ? 'invalid_order'
          : err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection
            ? 'rate_limited'
            : err instanceof ccxt.OperationFailed
              ? 'network'
              : 'unknown';
  return new VenueError(reason, message);
}

function unsigned(message: string): string {
  return message
    .replace(/(https?:\/\/[^\s?]+)\?\S*/g, '$1?…')
    .replace(/\b(signature|api_?key|timestamp)=[^&\s"']*/gi, '…');
}
