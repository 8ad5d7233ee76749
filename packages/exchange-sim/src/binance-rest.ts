import type { Clock } from '@ballast/contracts';
import { type BinanceApiError, BinanceErrors } from './binance-api-error';
import { type Credentials, verifySigned } from './binance-auth';
import type { BinanceMarket } from './binance-market';
import {
  cancelOrderView,
  myTradeView,
  type NewOrderRespType,
  newOrderView,
  queryOrderView,
} from './binance-order-views';
import { intervalMs } from './candle-series';
import { toUnits, type Units } from './decimal';
import type { ExchangeInfo } from './exchange-info';
import { ok, type RouteResult, type SimRequest } from './http-io';
import { selectKlines, toRestKline } from './kline-rest';
import type { MatchingEngine, OrderRef } from './matching-engine';
import {
  isStopType,
  type NewOrderRequest,
  type OrderSide,
  type OrderType,
  type TimeInForce,
} from './sim-order';
import type { SpotAccount } from './spot-account';

export interface BinanceRestContext {
  clock: Clock;
  exchangeInfo: ExchangeInfo;
  market: BinanceMarket;
  engine: MatchingEngine;
  account: SpotAccount;
  credentials: Credentials;
  takerCommissionBps: number;
  makerCommissionBps: number;
  /** Ids for orders sent without newClientOrderId, and for cancels (Binance generates both). */
  generateId: (prefix: string) => string;
}

type Handler = (req: SimRequest, ctx: BinanceRestContext) => RouteResult;

const publicRoutes: Record<string, Handler> = {
  'GET /api/v3/ping': () => ok({}),
  'GET /api/v3/time': (_r, ctx) => ok({ serverTime: ctx.clock.now() }),
  'GET /api/v3/exchangeInfo': exchangeInfo,
  'GET /api/v3/klines': klines,
  'GET /api/v3/depth': depth,
};

const signedRoutes: Record<string, Handler> = {
  'POST /api/v3/order': newOrder,
  'GET /api/v3/order': queryOrder,
  'DELETE /api/v3/order': cancelOrder,
  'GET /api/v3/openOrders': (req, ctx) =>
    ok(ctx.engine.openOrders(req.params.get('symbol') ?? undefined).map(queryOrderView)),
  'GET /api/v3/account': account,
  'GET /api/v3/myTrades': myTrades,
};

/** Routes a Binance spot REST call; undefined when the path is not one the simulator serves. */
export function routeBinance(req: SimRequest, ctx: BinanceRestContext): RouteResult | undefined {
  const key = `${req.method} ${req.path}`;
  const pub = publicRoutes[key];
  if (pub) return pub(req, ctx);
  const signed = signedRoutes[key];
  if (!signed) return undefined;
  const denied = verifySigned(
    {
      apiKeyHeader: header(req, 'x-mbx-apikey'),
      rawQuery: req.rawQuery,
      rawBody: req.rawBody,
      serverTime: ctx.clock.now(),
    },
    ctx.credentials,
  );
  return denied ? failure(denied) : signed(req, ctx);
}

export function failure(e: BinanceApiError): RouteResult {
  return { status: e.status, body: { code: e.code, msg: e.msg } };
}

function exchangeInfo(req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const one = req.params.get('symbol');
  const many = req.params.get('symbols');
  const wanted = one ? [one] : many ? parseSymbolList(many) : undefined;
  const symbols = wanted
    ? ctx.exchangeInfo.symbols.filter((s) => wanted.includes(s.symbol))
    : ctx.exchangeInfo.symbols;
  if (wanted && symbols.length !== wanted.length) return failure(BinanceErrors.invalidSymbol());
  return ok({ ...ctx.exchangeInfo, serverTime: ctx.clock.now(), symbols });
}

function parseSymbolList(text: string): string[] {
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) ? list.map(String) : [];
  } catch {
    return [];
  }
}

function klines(req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const symbol = req.params.get('symbol');
  const interval = req.params.get('interval');
  if (!symbol) return failure(BinanceErrors.mandatory('symbol'));
  if (!interval) return failure(BinanceErrors.mandatory('interval'));
  if (intervalMs(interval) === undefined) return failure(BinanceErrors.invalidInterval());
  if (!knownSymbol(ctx, symbol)) return failure(BinanceErrors.invalidSymbol());
  const rows = ctx.market.candles(symbol, interval) ?? [];
  const limit = Math.min(intParam(req, 'limit') ?? 500, 1000);
  const picked = selectKlines(rows, {
    startTime: intParam(req, 'startTime'),
    endTime: intParam(req, 'endTime'),
    limit,
  });
  return ok(picked.map(toRestKline));
}

function depth(req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const symbol = req.params.get('symbol');
  if (!symbol) return failure(BinanceErrors.mandatory('symbol'));
  if (!knownSymbol(ctx, symbol)) return failure(BinanceErrors.invalidSymbol());
  const limit = Math.min(intParam(req, 'limit') ?? 100, 5000);
  // Symbols without a recorded book have no depth to show; an empty book is the honest answer.
  return ok(ctx.market.book(symbol)?.snapshot(limit) ?? { lastUpdateId: 0, bids: [], asks: [] });
}

/**
 * Every parameter Binance's POST /api/v3/order reads (its documented list, plus the signature).
 * Those the simulator does not model (quoteOrderQty, icebergQty, trailingDelta, strategy ids, STP
 * mode, pegs) are read and ignored; any other name is answered as Binance does, with -1104.
 */
const NEW_ORDER_PARAMS = new Set([
  'symbol',
  'side',
  'type',
  'timeInForce',
  'quantity',
  'quoteOrderQty',
  'price',
  'newClientOrderId',
  'strategyId',
  'strategyType',
  'stopPrice',
  'trailingDelta',
  'icebergQty',
  'newOrderRespType',
  'selfTradePreventionMode',
  'pegPriceType',
  'pegOffsetValue',
  'pegOffsetType',
  'recvWindow',
  'timestamp',
  'signature',
]);

function newOrder(req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const parsed = parseNewOrder(req, ctx);
  if ('status' in parsed) return failure(parsed);
  const unread = unreadParameters(req, NEW_ORDER_PARAMS);
  if (unread) return failure(unread);
  const result = ctx.engine.place(parsed);
  if (!result.ok) return failure(result.error);
  const respType = (req.params.get('newOrderRespType') ?? 'FULL') as NewOrderRespType;
  return ok(newOrderView(result.value, ['ACK', 'RESULT', 'FULL'].includes(respType) ? respType : 'FULL'));
}

function parseNewOrder(req: SimRequest, ctx: BinanceRestContext): NewOrderRequest | BinanceApiError {
  const p = req.params;
  const symbol = p.get('symbol');
  const side = p.get('side');
  const type = p.get('type');
  if (!symbol) return BinanceErrors.mandatory('symbol');
  if (!side) return BinanceErrors.mandatory('side');
  if (side !== 'BUY' && side !== 'SELL') return BinanceErrors.invalidSide();
  if (!type) return BinanceErrors.mandatory('type');
  if (!['MARKET', 'LIMIT', 'STOP_LOSS', 'STOP_LOSS_LIMIT'].includes(type))
    return BinanceErrors.invalidOrderType();
  const quantity = decimalParam(req, 'quantity');
  if (typeof quantity !== 'bigint') return quantity;
  const tif = p.get('timeInForce') ?? undefined;
  if (tif !== undefined && tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK')
    return BinanceErrors.invalidTimeInForce();
  let price: Units | undefined;
  if (type === 'LIMIT' || type === 'STOP_LOSS_LIMIT') {
    const parsedPrice = decimalParam(req, 'price');
    if (typeof parsedPrice !== 'bigint') return parsedPrice;
    if (tif === undefined) return BinanceErrors.mandatory('timeInForce');
    price = parsedPrice;
  }
  const stopPrice = isStopType(type as OrderType) ? decimalParam(req, 'stopPrice') : undefined;
  if (stopPrice !== undefined && typeof stopPrice !== 'bigint') return stopPrice;
  const clientOrderId = p.get('newClientOrderId') || ctx.generateId('sim_');
  return {
    stopPrice,
    symbol,
    side: side as OrderSide,
    type: type as OrderType,
    quantity,
    price,
    timeInForce: tif as TimeInForce | undefined,
    clientOrderId,
  };
}

/** Binance reads what it knows and refuses a request that carried anything else (e.g. a futures `reduceOnly`). */
function unreadParameters(req: SimRequest, known: ReadonlySet<string>): BinanceApiError | undefined {
  const sent = [...req.params.keys()];
  const read = sent.filter((name) => known.has(name)).length;
  return read < sent.length ? BinanceErrors.unreadParameters(read, sent.length) : undefined;
}

function queryOrder(req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const ref = orderRef(req);
  if ('status' in ref) return failure(ref);
  const result = ctx.engine.query(ref.symbol, ref);
  return result.ok ? ok(queryOrderView(result.value)) : failure(result.error);
}

function cancelOrder(req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const ref = orderRef(req);
  if ('status' in ref) return failure(ref);
  const result = ctx.engine.cancel(ref.symbol, ref);
  if (!result.ok) return failure(result.error);
  const cancelId = req.params.get('newClientOrderId') || ctx.generateId('sim_cancel_');
  return ok(cancelOrderView(result.value, cancelId, ctx.clock.now()));
}

function orderRef(req: SimRequest): (OrderRef & { symbol: string }) | BinanceApiError {
  const symbol = req.params.get('symbol');
  if (!symbol) return BinanceErrors.mandatory('symbol');
  const orderId = intParam(req, 'orderId');
  const clientOrderId = req.params.get('origClientOrderId') ?? undefined;
  if (orderId === undefined && clientOrderId === undefined) return BinanceErrors.mandatory('orderId');
  return orderId !== undefined ? { symbol, orderId } : { symbol, clientOrderId };
}

function account(_req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const rate = (bps: number) => (bps / 10_000).toFixed(8);
  return ok({
    makerCommission: ctx.makerCommissionBps,
    takerCommission: ctx.takerCommissionBps,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: rate(ctx.makerCommissionBps),
      taker: rate(ctx.takerCommissionBps),
      buyer: '0.00000000',
      seller: '0.00000000',
    },
    canTrade: true,
    canWithdraw: false,
    canDeposit: false,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: ctx.clock.now(),
    accountType: 'SPOT',
    balances: ctx.account.rows(),
    permissions: ['SPOT'],
    uid: 1,
  });
}

function myTrades(req: SimRequest, ctx: BinanceRestContext): RouteResult {
  const symbol = req.params.get('symbol');
  if (!symbol) return failure(BinanceErrors.mandatory('symbol'));
  const fromId = intParam(req, 'fromId');
  const start = intParam(req, 'startTime');
  const end = intParam(req, 'endTime');
  const orderId = intParam(req, 'orderId');
  if (!MY_TRADES_COMBINATIONS.has(myTradesCombination(req)))
    return failure(BinanceErrors.invalidParameterCombination());
  const limit = Math.min(intParam(req, 'limit') ?? 500, 1000);
  const trades = ctx.engine
    .myTrades(symbol)
    .filter((t) => fromId === undefined || t.id >= fromId)
    .filter((t) => orderId === undefined || t.orderId === orderId)
    .filter((t) => (start === undefined || t.time >= start) && (end === undefined || t.time <= end));
  // Binance returns the most recent trades for a time window, the earliest from an id.
  const picked = fromId === undefined && start === undefined ? trades.slice(-limit) : trades.slice(0, limit);
  return ok(picked.map(myTradeView));
}

/**
 * The optional parameters of GET /api/v3/myTrades Binance takes together (its documented list); any
 * other combination, e.g. an order's trades from a time, is answered with -1128.
 */
const MY_TRADES_COMBINATIONS = new Set([
  '',
  'orderId',
  'startTime',
  'endTime',
  'fromId',
  'startTime+endTime',
  'orderId+fromId',
]);

function myTradesCombination(req: SimRequest): string {
  return ['orderId', 'startTime', 'endTime', 'fromId'].filter((name) => req.params.get(name)).join('+');
}

function knownSymbol(ctx: BinanceRestContext, symbol: string): boolean {
  return ctx.exchangeInfo.symbols.some((s) => s.symbol === symbol) || ctx.market.hasSeriesFor(symbol);
}

function intParam(req: SimRequest, name: string): number | undefined {
  const v = req.params.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function decimalParam(req: SimRequest, name: string): Units | BinanceApiError {
  const v = req.params.get(name);
  if (!v) return BinanceErrors.mandatory(name);
  try {
    return toUnits(v);
  } catch {
    return BinanceErrors.illegalValue(name);
  }
}

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
