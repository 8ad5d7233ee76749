/** An order of ours that may own a venue trade: recorded under its venue order id, or still `sending`. */
export type OwnerCandidate = {
  clientOrderId: string;
  venueOrderId: string | null;
  /**
   * The venue order the venue names for a candidate recorded with none (asked by client id): its
   * venue order id, or null when the venue does not know the order.
   */
  seenVenueOrderId?: string | null;
};

/**
 * Who a venue trade belongs to, judged when it is repaired: `owner` our order (or null: no order of
 * ours, it is external), or `unresolved`, an order still `sending` the venue does not know yet
 * (Binance answers "order does not exist" just after accepting one): it may be the trade's, and the
 * orders service may book its answer any moment, so filing the trade as external could book it
 * twice. It is read again next run.
 */
export type OwnerAtRepair = { owner: string | null } | { unresolved: string };

export function ownerAtRepair(
  trade: { venueOrderId: string },
  candidates: readonly OwnerCandidate[],
): OwnerAtRepair {
  const recorded = candidates.find((c) => c.venueOrderId === trade.venueOrderId);
  if (recorded) return { owner: recorded.clientOrderId };
  const seen = candidates.find((c) => c.seenVenueOrderId === trade.venueOrderId);
  if (seen) return { owner: seen.clientOrderId };
  const unknown = candidates.find((c) => c.venueOrderId === null && c.seenVenueOrderId === null);
  if (unknown) return { unresolved: unknown.clientOrderId };
  return { owner: null };
}
