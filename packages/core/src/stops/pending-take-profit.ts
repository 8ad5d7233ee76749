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
