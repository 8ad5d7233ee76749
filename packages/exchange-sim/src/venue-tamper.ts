import type { Clock } from '@ballast/contracts';
import { apiRestrictionsView } from './api-restrictions';
import { BinanceErrors } from './binance-api-error';
import { verifySigned } from './binance-auth';
import { failure } from './binance-rest';
import type { BinanceVenue } from './binance-venue';
import { toUnits } from './decimal';
import { symbolRules } from './exchange-info';
import { ok, type RouteResult, type SimRequest } from './http-io';

/** An order placed on the venue by someone else (the web page, another device, another bot). */
export interface ExternalOrder {
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: string;
  price: string;
  clientOrderId: string;
}

/**
 * Changes to the venue's state behind the back of whoever trades on it, for reconciliation tests:
 * nothing here is announced to clients, exactly like a change made from the exchange's web page.
 */
export class VenueTamper {
  private unreachableUntil = 0;
  private withdrawals: boolean;

  constructor(
    private readonly binance: BinanceVenue,
    private readonly clock: Clock,
    options: { enableWithdrawals?: boolean } = {},
  ) {
    this.withdrawals = options.enableWithdrawals ?? false;
  }

  /**
   * Fills a resting limit order completely at its own price, as a trade printed one unit through it
   * would (other resting orders that trade reaches fill too, as on the venue). Returns its order id.
   */
  fillSilently(symbol: string, clientOrderId: string): number {
    const { order, through } = this.restingThrough(symbol, clientOrderId);
    // A print large enough for every open order, so the others it reaches cannot leave this one short.
    const size = this.binance.engine
      .openOrders(symbol)
      .reduce((sum, o) => sum + (o.origQty - o.executedQty), 0n);
    this.binance.engine.onTrade(symbol, through, size);
    return order.orderId;
  }

  /**
   * A trade of `size` printed one unit through a resting limit order's price: it fills that much of
   * the resting orders it reaches (the first placed first), unannounced to their owners.
   */
  printThrough(symbol: string, clientOrderId: string, size: string): void {
    this.binance.engine.onTrade(symbol, this.restingThrough(symbol, clientOrderId).through, toUnits(size));
  }

  /** A resting limit order and the price one unit through it. */
  private restingThrough(symbol: string, clientOrderId: string) {
    const order = this.binance.engine.openOrders(symbol).find((o) => o.clientOrderId === clientOrderId);
    if (!order) throw new TamperError(`no open order ${clientOrderId} on ${symbol}`);
    return { order, through: order.side === 'BUY' ? order.price - 1n : order.price + 1n };
  }

  /**
   * Changes fields of one of a symbol's filters (a new LOT_SIZE stepSize, say), as Binance does now and
   * then: exchangeInfo says so from now on and the matching engine enforces it.
   */
  changeFilter(symbol: string, filterType: string, fields: Record<string, string>): void {
    const info = this.binance.exchangeInfo.symbols.find((s) => s.symbol === symbol);
    const filter = info?.filters.find((f) => f.filterType === filterType);
    if (!info || !filter) throw new Error(`no ${filterType} filter for ${symbol}`);
    Object.assign(filter, fields);
    this.binance.rules.set(symbol, symbolRules(info));
  }

  /** Places a GTC limit order under a client id that is not ours. Returns its order id. */
  addExternalOrder(o: ExternalOrder): number {
    const placed = this.binance.engine.place({
      symbol: o.symbol,
      side: o.side,
      type: 'LIMIT',
      quantity: toUnits(o.quantity),
      price: toUnits(o.price),
      timeInForce: 'GTC',
      clientOrderId: o.clientOrderId,
    });
    if (!placed.ok) throw new TamperError(placed.error.msg);
    return placed.value.orderId;
  }

  /** Cancels an open order (a stop cancelled by hand, say). */
  cancelOrder(symbol: string, clientOrderId: string): void {
    const result = this.binance.engine.cancel(symbol, { clientOrderId });
    if (!result.ok) throw new TamperError(result.error.msg);
  }

  /** Adds `delta` (negative: takes) to an asset's free balance: a deposit, a withdrawal, a fee rebate. */
  moveBalance(asset: string, delta: string): void {
    const units = toUnits(delta);
    if (units >= 0n) this.binance.account.credit(asset, units);
    else this.binance.account.spendFree(asset, -units);
  }

  setWithdrawals(enabled: boolean): void {
    this.withdrawals = enabled;
  }

  withdrawalsEnabled(): boolean {
    return this.withdrawals;
  }

  get credentials(): BinanceVenue['credentials'] {
    return this.binance.credentials;
  }

  /** Every REST call answers 503 for `ms` of the venue's clock (0 ends it now). */
  unreachable(ms: number): void {
    this.unreachableUntil = this.clock.now() + ms;
  }

  isUnreachable(): boolean {
    return this.clock.now() < this.unreachableUntil;
  }
}

export class TamperError extends Error {
  readonly reason = 'invalid_request';
}

type Body = Record<string, unknown>;
const str = (b: Body, k: string) => String(b[k] ?? '');

const actions: Record<string, (t: VenueTamper, b: Body) => unknown> = {
  'POST /_sim/venue/fill': (t, b) => ({ orderId: t.fillSilently(str(b, 'symbol'), str(b, 'clientOrderId')) }),
  'POST /_sim/venue/external-order': (t, b) => ({
    orderId: t.addExternalOrder({
      symbol: str(b, 'symbol'),
      side: str(b, 'side') === 'SELL' ? 'SELL' : 'BUY',
      quantity: str(b, 'quantity'),
      price: str(b, 'price'),
      clientOrderId: str(b, 'clientOrderId'),
    }),
  }),
  'POST /_sim/venue/cancel': (t, b) => t.cancelOrder(str(b, 'symbol'), str(b, 'clientOrderId')),
  'POST /_sim/venue/balance': (t, b) => t.moveBalance(str(b, 'asset'), str(b, 'delta')),
  'POST /_sim/venue/withdrawals': (t, b) => t.setWithdrawals(b.enabled === true),
  'POST /_sim/venue/unreachable': (t, b) => t.unreachable(Number(b.ms ?? 0)),
};

/**
 * `/_sim/venue/*` tamper actions; while the venue is unreachable a 503 for every exchange path; and
 * the key's `apiRestrictions`, whose withdrawal permission the tamper controls. Undefined otherwise.
 */
export function routeTamper(req: SimRequest, tamper: VenueTamper, now: number): RouteResult | undefined {
  const action = actions[`${req.method} ${req.path}`];
  if (action) return runAction(action, tamper, req.rawBody);
  if (req.path.startsWith('/_sim/')) return undefined;
  if (tamper.isUnreachable()) return { ...failure(BinanceErrors.serverError()), status: 503 };
  if (req.method === 'GET' && req.path === '/sapi/v1/account/apiRestrictions')
    return restrictions(req, tamper, now);
  return undefined;
}

function restrictions(req: SimRequest, tamper: VenueTamper, now: number): RouteResult {
  const key = req.headers['x-mbx-apikey'];
  const denied = verifySigned(
    {
      apiKeyHeader: Array.isArray(key) ? key[0] : key,
      rawQuery: req.rawQuery,
      rawBody: req.rawBody,
      serverTime: now,
    },
    tamper.credentials,
  );
  return denied ? failure(denied) : ok(apiRestrictionsView(now, tamper.withdrawalsEnabled()));
}

function runAction(
  action: (t: VenueTamper, b: Body) => unknown,
  tamper: VenueTamper,
  raw: string,
): RouteResult {
  try {
    return ok(action(tamper, raw ? (JSON.parse(raw) as Body) : {}) ?? { ok: true });
  } catch (err) {
    return { status: 400, body: { error: (err as Error).message, reason: 'invalid_request' } };
  }
}
