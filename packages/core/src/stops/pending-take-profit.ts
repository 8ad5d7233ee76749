/** What a stored take-profit in progress says about itself: `keep` is what its stop covers once moved. */
export interface PendingTakeProfit {
  keep: number;
}

/** A take-profit is selling the whole position: the last level, or a split the venue would refuse. */
export function sellingAll(record: { takeProfit: PendingTakeProfit | null }): boolean {
  return record.takeProfit?.keep === 0;
}

/**
 * Whether a stored take-profit may have gone out: its stop was moved onto what stays, or, for a
 * whole sale, cancelled (or left resting, where stops are reduce-only). One that cannot have gone out
 * is dropped after a restart; one that may have is sent again under the same ids.
 */
export function takeProfitSent(
  record: { qty: number; clientOrderId: string | null },
  tp: PendingTakeProfit,
  supportsReduceOnly: boolean,
): boolean {
  if (tp.keep > 0) return record.qty <= tp.keep + 1e-12;
  return supportsReduceOnly || record.clientOrderId === null;
}

/**
 * What a take-profit's sale filled so far, per client order id: the orders service may split a close
 * above the venue's market maximum into chunks that share the sale's intent, each with its own id
 * and order events (filledQty counts that chunk's fills so far).
 */
export type TakeProfitFills = Record<string, number>;

/** One order event of a take-profit's sale, for one of its chunks. */
export interface TakeProfitOrder {
  status: 'accepted' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected';
  clientOrderId: string;
  filledQty: number;
}

/**
 * Where a take-profit's sale stands after one of its order events: `selling` (chunks still to come),
 * `sold` (all of `qty` filled: the ladder moves), `failed` (a chunk was refused or cancelled short of
 * it: `unsold` is what the stop must cover again). `fills` is what to keep for the next event.
 */
export type TakeProfitProgress =
  | { kind: 'selling'; fills: TakeProfitFills }
  | { kind: 'sold'; fills: TakeProfitFills }
  | { kind: 'failed'; fills: TakeProfitFills; unsold: number };

/** What the chunks of a take-profit's sale filled together. */
export function takeProfitSold(fills: TakeProfitFills): number {
  return Object.values(fills).reduce((sum, qty) => sum + qty, 0);
}

/**
 * Reads one order event of a take-profit selling `qty` against what its chunks filled before. The
 * sale is done once the chunks filled it all (fills are whole steps: less than half a `stepSize`
 * short is all of it), whatever the event; short of it, a refused or cancelled chunk ends it as
 * failed. A repeated or older event of a chunk never counts its fills twice (the most a chunk told).
 */
export function takeProfitProgress(
  tp: { qty: number; fills: TakeProfitFills },
  order: TakeProfitOrder,
  stepSize: number,
): TakeProfitProgress {
  const told = tp.fills[order.clientOrderId] ?? 0;
  const fills = order.filledQty > told ? { ...tp.fills, [order.clientOrderId]: order.filledQty } : tp.fills;
  const sold = takeProfitSold(fills);
  if (tp.qty - sold <= stepSize / 2) return { kind: 'sold', fills };
  if (order.status === 'rejected' || order.status === 'cancelled')
    return { kind: 'failed', fills, unsold: tp.qty - sold };
  return { kind: 'selling', fills };
}
