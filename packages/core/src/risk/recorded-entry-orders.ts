import type { OrderSide } from '@ballast/contracts';
import { type DecidedApproval, type DecidedIntent, liveApprovals } from './decided-intents';
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
 * The reservations a restarted risk service starts with, from the orders the orders service recorded
 * and the decisions risk remembers (`decided`, stored). An intent with recorded orders holds what its
 * live orders have not filled yet (their fills are in the positions already); its finished orders are
 * settled, so their replayed refusals release nothing. An approval with no recorded order (the orders
 * service is down or behind) holds all it was approved for, unless its refusal was heard. The approval
 * gives the stop, the price when the orders have none, and the expiry; an intent risk does not remember
 * lapses `ttlMs` after its first order was due, its stop unknown (see pendingRisk). Oldest first.
 */
export function pendingAtStart(
  orders: Iterable<RecordedEntryOrder>,
  decided: readonly DecidedIntent[],
  ttlMs: number,
  now: number,
): PendingEntry[] {
  const approvals = new Map(liveApprovals(decided, now).map((d) => [d.intentId, d]));
  const byIntent = new Map<string, RecordedEntryOrder[]>();
  for (const order of orders) byIntent.set(order.intentId, [...(byIntent.get(order.intentId) ?? []), order]);
  const pending: PendingEntry[] = [];
  for (const [intentId, intent] of byIntent) {
    const entry = fromOrders(intent, ttlMs, approvals.get(intentId));
    if (entry) pending.push(entry);
  }
  for (const approval of approvals.values())
    if (!byIntent.has(approval.intentId) && !approval.released) pending.push(fromApproval(approval));
  return pending.sort((a, b) => a.expiresAt - b.expiresAt);
}

function fromOrders(
  intent: readonly RecordedEntryOrder[],
  ttlMs: number,
  approval: DecidedApproval | undefined,
): PendingEntry | undefined {
  const live = intent.filter((o) => o.live);
  const qty = live.reduce((sum, o) => sum + Math.max(0, o.qty - o.filledQty), 0);
  const [first] = intent;
  if (!first || qty <= 0) return undefined;
  return {
    intentId: first.intentId,
    strategy: first.strategy,
    exchange: first.exchange,
    symbol: first.symbol,
    side: first.side === 'buy' ? 'long' : 'short',
    qty,
    entry: intent.find((o) => o.price !== null)?.price ?? approval?.verdict.entry ?? 0,
    stop: approval?.verdict.stop ?? 0,
    expiresAt: approval?.expiresAt ?? Math.min(...intent.map((o) => o.dueAt)) + ttlMs,
    settled: intent.filter((o) => !o.live).map((o) => o.clientOrderId),
  };
}

function fromApproval({ intentId, candidate, verdict, expiresAt }: DecidedApproval): PendingEntry {
  const { qty, entry, stop } = verdict;
  return { intentId, ...candidate, qty, entry, stop, expiresAt, settled: [] };
}
