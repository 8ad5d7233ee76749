import { isOwnClose } from './close-intent';

/**
 * What a take-profit under way has seen of its position: `seen`, the size last reported (null: none
 * yet, the size it started from), and `grown`, the net change by fills that are not the position's own
 * closes (a TWAP slice of the opening, an add, a fill reconciliation booked late). The sale's own
 * fills are its order events' to count; what grows beside them is the stop's to cover once it settles.
 */
export interface TakeProfitGrowth {
  seen: number | null;
  grown: number;
}

/**
 * Reads one position event of `qty` whole lots, named by `intentId`, while a take-profit sells `qty`
 * of a position of `from` lots: the change since the size last seen counts as growth unless one of
 * the position's own closes made it. Position events come in order, one per fill, so each change is
 * one fill's.
 */
export function seenWhileSelling(
  tp: TakeProfitGrowth,
  from: number,
  position: { positionId: string; qty: number; intentId: string | null | undefined },
): TakeProfitGrowth {
  const before = tp.seen ?? from;
  const own = isOwnClose(position.positionId, position.intentId);
  return { seen: position.qty, grown: own ? tp.grown : tp.grown + position.qty - before };
}

/**
 * What the stop must cover once a take-profit that kept `keep` sold all it was sending: what it kept
 * plus what grew beside it; null when nothing grew (a shrink beside the sale is followed by the
 * position events that tell it, as outside a sale).
 */
export function grownAfterSale(keep: number, grown: number): number | null {
  return grown > 1e-12 ? keep + grown : null;
}
