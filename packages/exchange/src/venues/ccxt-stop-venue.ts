import { toCcxtSymbol } from '@ballast/contracts';
import type { MarketRules } from '@ballast/core';
import type { Exchange, Order } from 'ccxt';
import { createCcxtExchange } from '../ccxt-rest';
import type { RefusedOrder } from './binance-refusal';
import { CcxtVenue, type CcxtVenueConfig, toVenueError } from './ccxt-venue';
import { VenueError } from './order-venue';
import { stopLimitPrice } from './stop-limit-price';
import type { StopOrder, StopRequest, StopVenue } from './stop-venue';

export type CcxtStopVenueConfig = CcxtVenueConfig & {
  /**
   * Where the limit of a stop-limit order sits beyond its stop, in basis points: the room it has to
   * fill in a falling (or, for a buy stop, rising) market. Binance spot offers no stop-market order.
   */
  limitOffsetBps: number;
};

/**
 * Exchange-native stops through ccxt. On Binance spot a stop is a `STOP_LOSS_LIMIT` order; other
 * venues get ccxt's unified stop-loss (`stopLossPrice` on a limit order). Spot markets only (like
 * `CcxtVenue`): spot has no reduce-only, and a spot sell stop can only sell the base asset it locks.
 * Orders are found by our client order id, so a read-back needs no venue id.
 */
export class CcxtStopVenue implements StopVenue {
  readonly id: string;
  readonly supportsReduceOnly = false;
  private readonly exchange: Exchange;
  /** Market rules and market loading, shared with the order venue's code on the same ccxt instance. */
  private readonly markets: CcxtVenue;

  constructor(
    private readonly config: CcxtStopVenueConfig,
    exchange?: Exchange,
  ) {
    this.id = config.venue;
    this.exchange = exchange ?? createCcxtExchange(config, config.clock);
    this.markets = new CcxtVenue(config, this.exchange);
  }

  marketRules(symbol: string): Promise<MarketRules> {
    return this.markets.marketRules(symbol);
  }

  async placeStop(request: StopRequest): Promise<StopOrder> {
    const rules = await this.marketRules(request.symbol);
    const limit = stopLimitPrice(request, this.config.limitOffsetBps, rules.tickSize);
    const market = this.exchange.market(toCcxtSymbol(request.symbol));
    const params: Record<string, unknown> = { clientOrderId: request.clientOrderId, timeInForce: 'GTC' };
    if (request.reduceOnly && market.contract) params.reduceOnly = true;
    const binance = this.exchange.id === 'binance';
    if (binance) params.stopPrice = request.stopPrice;
    else params.stopLossPrice = request.stopPrice;
    const placed = await this.call(
      'createOrder',
      () =>
        this.exchange.createOrder(
          toCcxtSymbol(request.symbol),
          binance ? 'STOP_LOSS_LIMIT' : 'limit',
          request.side,
          request.qty,
          limit,
          params,
        ),
      { order: { qty: request.qty, price: limit }, rules },
    );
    return toStopOrder(request.symbol, placed, request);
  }

  async fetchStop(symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    await this.marketRules(symbol);
    try {
      const order = await this.call('fetchOrder', () =>
        this.exchange.fetchOrder('', toCcxtSymbol(symbol), { clientOrderId }),
      );
      return toStopOrder(symbol, order);
    } catch (err) {
      if (err instanceof VenueError && err.reason === 'not_found') return undefined;
      throw err;
    }
  }

  /** Cancels the stop; one that already executed or vanished is read back instead. */
  async cancelStop(symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    await this.marketRules(symbol);
    try {
      const order = await this.call('cancelOrder', () =>
        this.exchange.cancelOrder('', toCcxtSymbol(symbol), { clientOrderId }),
      );
      return toStopOrder(symbol, order);
    } catch (err) {
      if (err instanceof VenueError && err.reason === 'not_found')
        return this.fetchStop(symbol, clientOrderId);
      throw err;
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>, refused?: RefusedOrder): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toVenueError(err, what, refused);
    }
  }
}

/**
 * A ccxt order as a stop. Binance keeps a triggered stop-limit `NEW` while it rests in the book;
 * `isWorking` tells it apart from one still waiting for its trigger. `placed` fills in what a terse
 * create response leaves out.
 */
function toStopOrder(symbol: string, order: Order, placed?: StopRequest): StopOrder {
  const info = (order.info ?? {}) as { isWorking?: unknown; stopPrice?: unknown };
  const filled = order.filled ?? 0;
  const status: StopOrder['status'] =
    order.status === 'closed' || (order.status === 'open' && (filled > 0 || info.isWorking === true))
      ? 'triggered'
      : order.status === 'open' || order.status === undefined
        ? 'open'
        : order.status === 'rejected'
          ? 'rejected'
          : 'cancelled';
  const stopPrice = order.triggerPrice ?? order.stopPrice ?? Number(info.stopPrice ?? Number.NaN);
  return {
    clientOrderId: order.clientOrderId ?? placed?.clientOrderId ?? '',
    venueOrderId: String(order.id ?? ''),
    symbol,
    side: order.side === 'buy' || order.side === 'sell' ? order.side : (placed?.side ?? 'sell'),
    status,
    qty: order.amount ?? placed?.qty ?? 0,
    filledQty: filled,
    ...(order.price ? { limitPrice: order.price } : {}),
    stopPrice: Number.isFinite(stopPrice) ? stopPrice : (placed?.stopPrice ?? 0),
  };
}
