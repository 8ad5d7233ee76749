import { z } from 'zod';
import {
  EpochMs,
  ExchangeId,
  OrderSide,
  PositionSide,
  PositiveSize,
  Price,
  Size,
  SymbolId,
} from './primitives';

/**
 * What the order manager executes. Trigger orders are not among them: protective stops and their
 * take-profits are the stops service's, placed on the venue by it; a stop type here used to be sent as
 * an immediate market order with its trigger price ignored.
 */
export const OrderType = z.enum(['market', 'limit']);
export type OrderType = z.infer<typeof OrderType>;

/** The most slices one TWAP is planned as, asked for or needed by the venue's largest order. */
export const MAX_TWAP_SLICES = 1000;

export const Execution = z.discriminatedUnion('algo', [
  z.object({ algo: z.literal('direct') }),
  z.object({
    algo: z.literal('twap'),
    slices: z.number().int().min(2).max(MAX_TWAP_SLICES),
    durationMs: z.number().int().positive(),
  }),
]);

export const SubmitOrder = z.object({
  kind: z.literal('submit'),
  intentId: z.string().min(1),
  clientOrderId: z.string().min(1).max(36),
  exchange: ExchangeId,
  symbol: SymbolId,
  side: OrderSide,
  type: OrderType,
  qty: PositiveSize,
  price: Price.nullable(),
  /** Always null: no trigger order goes through the order manager (see OrderType). */
  triggerPrice: z.null(),
  reduceOnly: z.boolean(),
  maxSlippageBps: z.number().nonnegative().nullable(),
  execution: Execution,
});
/**
 * Cancels one order of ours by client id: on the venue when it was sent, and with it whatever of its
 * intent is still planned (a TWAP's later slices, a close's later chunks), announced cancelled unsent.
 */
export const CancelOrder = z.object({
  kind: z.literal('cancel'),
  clientOrderId: z.string().min(1),
  exchange: ExchangeId,
  symbol: SymbolId,
});
export const CancelAll = z.object({ kind: z.literal('cancel_all'), exchange: ExchangeId.nullable() });

export const OrderStatus = z.enum(['accepted', 'partially_filled', 'filled', 'cancelled', 'rejected']);
export type OrderStatus = z.infer<typeof OrderStatus>;

/**
 * Why the venue (or our submission path) refused an order. `strategy_not_live`: on a live venue, an
 * entry of a strategy not in LIVE_STRATEGIES or no longer `live` per the readiness gate, or an entry
 * of no strategy at all (an `ord.cmd` submit that is not reduce-only).
 */
export const RejectReason = z.enum([
  'insufficient_funds',
  'invalid_order',
  'min_notional',
  'precision',
  'slippage',
  'rate_limited',
  'venue_unavailable',
  'kill_switch',
  'strategy_not_live',
  /** An entry risk approved arrived after its reservation lapsed (OrderIntent.expiresAt). */
  'expired',
  /**
   * An entry TWAP's slice not sent: the price moved beyond MAX_SLIPPAGE_BPS from the touch the entry
   * was accepted at (what risk sized it on).
   */
  'price_moved',
  'unknown',
]);
export type RejectReason = z.infer<typeof RejectReason>;

export const Fill = z.object({
  tradeId: z.string().min(1),
  price: Price,
  qty: PositiveSize,
  fee: z.number().nonnegative(),
  feeAsset: z.string().min(1),
  liquidity: z.enum(['maker', 'taker']),
  time: EpochMs,
});
export type Fill = z.infer<typeof Fill>;

/**
 * Reconciliation found a fill the venue reports and our books lack (or an adjustment that sets a
 * position to the venue's): the orders service, the one writer of order fills, records it once per
 * trade id, creating the order when it never knew it, and publishes the order and position events.
 */
export const RecordFill = z.object({
  kind: z.literal('record_fill'),
  origin: z.enum(['venue_trade', 'adjustment']),
  clientOrderId: z.string().min(1).max(64),
  intentId: z.string().min(1),
  venueOrderId: z.string().nullable(),
  exchange: ExchangeId,
  symbol: SymbolId,
  side: OrderSide,
  fill: Fill,
});
export type RecordFill = z.infer<typeof RecordFill>;

export const OrderCommand = z.discriminatedUnion('kind', [SubmitOrder, CancelOrder, CancelAll, RecordFill]);
export type OrderCommand = z.infer<typeof OrderCommand>;

export const OrderEvent = z.object({
  status: OrderStatus,
  intentId: z.string().nullable(),
  clientOrderId: z.string().min(1),
  venueOrderId: z.string().nullable(),
  exchange: ExchangeId,
  symbol: SymbolId,
  side: OrderSide,
  type: OrderType,
  qty: PositiveSize,
  filledQty: Size,
  avgPrice: Price.nullable(),
  fill: Fill.nullable(),
  reason: RejectReason.nullable(),
  detail: z.string().nullable(),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

export const PositionEvent = z.object({
  status: z.enum(['opened', 'changed', 'closed']),
  positionId: z.string().min(1),
  strategy: z.string().nullable(),
  exchange: ExchangeId,
  symbol: SymbolId,
  side: PositionSide,
  qty: Size,
  avgEntry: Price,
  /** Realised pnl and fees (quote) of every trade this position id ever had: differences are what changed. */
  realizedPnl: z.number(),
  fees: z.number().nonnegative(),
  /**
   * This trade's own realised pnl and fees, since the fill that opened it: what an exit notice reports.
   * Absent from events published before it was kept.
   */
  trade: z.object({ realizedPnl: z.number(), fees: z.number().nonnegative() }).optional(),
  /**
   * The intent whose order's fill this event reports (an add's own, where the chain is the opening's);
   * null when no intent names it. Absent from events published before it was kept.
   */
  intentId: z.string().nullable().optional(),
});
export type PositionEvent = z.infer<typeof PositionEvent>;

export const StopEvent = z.object({
  kind: z.enum([
    'placed',
    'verified',
    'moved',
    'triggered',
    'take_profit',
    'failed',
    'flattened',
    'cancelled',
  ]),
  positionId: z.string().min(1),
  exchange: ExchangeId,
  symbol: SymbolId,
  stopPrice: Price.nullable(),
  qty: Size,
  clientOrderId: z.string().nullable(),
  detail: z.string(),
});
export type StopEvent = z.infer<typeof StopEvent>;
