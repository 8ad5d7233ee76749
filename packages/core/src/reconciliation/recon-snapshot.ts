import type { OrderSide, OrderStatus } from '@ballast/contracts';

/** One execution on the venue, as its trade history reports it. */
export type VenueTrade = {
  /** The venue's own trade id: the key a fill is ingested under, once. */
  tradeId: string;
  venueOrderId: string;
  symbol: string;
  side: OrderSide;
  price: number;
  qty: number;
  fee: number;
  feeAsset: string;
  liquidity: 'maker' | 'taker';
  time: number;
};

/** An order as the venue reports it (open, or looked up by client id). */
export type VenueOrderState = {
  clientOrderId: string;
  venueOrderId: string;
  symbol: string;
  side: OrderSide;
  status: OrderStatus;
  qty: number;
  /** Limit price; null for a market order. */
  price: number | null;
  filledQty: number;
};

/** What the venue says, read in one reconciliation run. */
export type VenueSnapshot = {
  venue: string;
  /** Total (free + locked) per asset. */
  balances: Readonly<Record<string, number>>;
  openOrders: readonly VenueOrderState[];
  /** Every trade since the last run's cursor. */
  trades: readonly VenueTrade[];
  /** Signed net quantity per symbol (long > 0); null when the venue keeps no positions we can read. */
  positions: Readonly<Record<string, number>> | null;
  /**
   * Our orders that are not open on the venue, looked up by client id: the venue's state, or null
   * when the venue does not know the order.
   */
  lookups: Readonly<Record<string, VenueOrderState | null>>;
};

/** Our order lifecycle (the order manager's slice status). */
export type LedgerOrderStatus =
  | 'planned'
  | 'sending'
  | 'open'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'aborted';

export type LedgerOrder = {
  clientOrderId: string;
  venueOrderId: string | null;
  symbol: string;
  side: OrderSide;
  qty: number;
  status: LedgerOrderStatus;
  filledQty: number;
  /** Last change, for the in-flight grace period. */
  updatedAt: number;
};

/** A protective stop we believe rests on the venue for an open position. */
export type LedgerStop = {
  positionId: string;
  symbol: string;
  clientOrderId: string | null;
  qty: number;
  stopPrice: number;
  /**
   * The stops service is resizing the stop (a take-profit sells, or a move waits for its old stop's
   * cancel): it covers less than the position on purpose until the outcome sizes it. Absent: not known.
   */
  resizing?: boolean;
};

/** What our records say, read in the same run. */
export type LedgerSnapshot = {
  venue: string;
  orders: readonly LedgerOrder[];
  /** Every venue trade already counted in our fills, as `tradeKey(symbol, tradeId)`. */
  tradeKeys: ReadonlySet<string>;
  /** Signed net quantity per symbol, folded from our fills. */
  positions: Readonly<Record<string, number>>;
  stops: readonly LedgerStop[];
  /** Balances we expect (last run's venue balances moved by the trades since); null on a first run. */
  balances: Readonly<Record<string, number>> | null;
  /** Drift keys already handled for good (an external order left alone is reported once). */
  acknowledged: ReadonlySet<string>;
  /** Orphan stop drift keys the previous run found: only a stop found orphaned twice may be cancelled. */
  orphanStopsSeen: ReadonlySet<string>;
};
