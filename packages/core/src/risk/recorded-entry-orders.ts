import type { OrderSide } from '@ballast/contracts';
import type { PendingEntry } from './risk-state';

/** One order of an approved entry (a risk decision's slice) as the orders service records it. */
export type RecordedEntryOrder = {
  intentId: string;
  /** The strategy whose entry was approved (recorded on the slice). */
  strategy: string;
  clientOrderId: string;
  exchange: string;
  symbol: string;
  side: OrderSide;
  qty: number;
  filledQty: number;
  /** A limit order's price, else the average of its fills so far; null when neither is known. */
  price: number | null;
  /** When it was planned to be sent. */
  dueAt: number;
  /** It can still fill: planned, being sent, or resting on the venue. */
  live: boolean;
};

/**
 * The reservations a restarted risk service starts with: what the approved entries' live orders have
 * not filled yet (their fills are in the positions already). An intent lapses `ttlMs` after its first
 * order was due, as it would have had risk kept running; its stop is not recorded (see pendingRisk).
 * Its finished orders are settled: their replayed refusals release nothing.
 */
export function pendingFromOrders(orders: Iterable<RecordedEntryOrder>, ttlMs: number): PendingEntry[] {
  const byIntent = new Map<string, RecordedEntryOrder[]>();
  for (const order of orders) byIntent.set(order.intentId, [...(byIntent.get(order.intentId) ?? []), order]);
  const pending: PendingEntry[] = [];
  for (const [intentId, intent] of byIntent) {
    const live = intent.filter((o) => o.live);
    const qty = live.reduce((sum, o) => sum + Math.max(0, o.qty - o.filledQty), 0);
    const [first] = intent;
    if (!first || qty <= 0) continue;
    pending.push({
      intentId,
      strategy: first.strategy,
      exchange: first.exchange,
      symbol: first.symbol,
      side: first.side === 'buy' ? 'long' : 'short',
      qty,
      entry: intent.find((o) => o.price !== null)?.price ?? 0,
      stop: 0,
      expiresAt: Math.min(...intent.map((o) => o.dueAt)) + ttlMs,
      settled: intent.filter((o) => !o.live).map((o) => o.clientOrderId),
    });
  }
  return pending;
}
