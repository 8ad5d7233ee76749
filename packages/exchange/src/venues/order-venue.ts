import type { Fill, OrderSide, RejectReason } from '@ballast/contracts';
import type { MarketRules, VenueOrderState, VenueTrade, WalkableBook } from '@ballast/core';

/** What we ask a venue to do: a market or limit order under our own client order id. */
export type VenueOrderRequest = {
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: 'market' | 'limit';
  qty: number;
  price: number | null;
  reduceOnly: boolean;
  /**
   * What a market order is expected to trade at (the touch, or the position's entry), when known: a
   * venue that refuses it for its notional without saying which bound (Binance's NOTIONAL) is told
   * apart by it, the minimum from the maximum. Never sent to the venue.
   */
  referencePrice?: number;
};

/** An order as the venue reports it: the state reconciliation compares, with how it filled. */
export type VenueOrder = VenueOrderState & {
  avgPrice: number | null;
  fills: Fill[];
};

/** Trades read from a cursor, and the cursor the next read starts from (opaque to callers). */
export type TradePage = { trades: VenueTrade[]; cursor: string | null };

/**
 * Why a venue call failed, one closed set. `network`, `rate_limited` and `fills_incomplete` are worth
 * retrying; the rest are answers that another try would only repeat. `fills_incomplete`: the venue
 * reports an order filled further than the trades it lists for it add up to.
 */
export type VenueErrorReason =
  | Extract<
      RejectReason,
      'insufficient_funds' | 'invalid_order' | 'min_notional' | 'precision' | 'rate_limited' | 'unknown'
    >
  | 'network'
  | 'not_found'
  | 'fills_incomplete';

export class VenueError extends Error {
  override readonly name = 'VenueError';

  constructor(
    readonly reason: VenueErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return this.reason === 'network' || this.reason === 'rate_limited' || this.reason === 'fills_incomplete';
  }
}

/**
 * One trading venue as the order manager sees it. A live ccxt exchange and the paper broker both
 * implement it, so only the venue changes between paper and live.
 */
export interface OrderVenue {
  readonly id: string;
  /**
   * Whether an order whose submit failed without an answer (`network`) may still reach the venue and
   * execute later, as a request queued at a live venue's gateway can (Binance -1007): the order manager
   * then waits out its recvWindow before taking "no such order" for final. False for the paper broker:
   * a paper order that failed was never placed, so it is re-planned at once.
   */
  readonly landsLate: boolean;
  marketRules(symbol: string): Promise<MarketRules>;
  /**
   * Reads the market rules from the venue again, unless that was done a moment ago (rate limits): true
   * when they were read. A venue whose rules cannot change under it (paper) has none.
   */
  refreshRules?(): Promise<boolean>;
  /**
   * The venue's book, at most `limit` levels a side when given (the venue's default depth otherwise).
   * With `timeoutMs` the request is given up and cancelled after that long, not left running.
   */
  orderBook(symbol: string, limit?: number, options?: { timeoutMs?: number }): Promise<WalkableBook>;
  submit(order: VenueOrderRequest): Promise<VenueOrder>;
  /** The order with this client id, or undefined when the venue never saw it. */
  fetchByClientId(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined>;
  cancel(symbol: string, clientOrderId: string): Promise<VenueOrder | undefined>;
  openOrders(symbol?: string): Promise<VenueOrder[]>;
  /** Total (free + locked) per asset. */
  balances(): Promise<Record<string, number>>;
  /**
   * Our trades on a symbol from `cursor` on (null: from the first the venue keeps), oldest first,
   * each under the venue's own trade id. Reconciliation ingests any it has not counted.
   */
  tradesSince(symbol: string, cursor: string | null): Promise<TradePage>;
  /** Whether the API key may withdraw funds; undefined when the venue cannot say. */
  withdrawalsEnabled(): Promise<boolean | undefined>;
  /**
   * The venue's clock now (ms), the one its trade times are on; absent where that is ours (paper).
   * Reconciliation compares trade times with the time of a balance read on it: our host's clock off
   * from the venue's by a few seconds counted a trade twice, or not at all.
   */
  serverTime?(): Promise<number>;
}
