import { isOwnClose } from './close-intent';

/**
 * What a position's new size (in whole lots) means for its stop: `below_lot` (a close left only dust,
 * nothing more can be sold), `closing` (a partly filled close: the re-sent close covers what is left,
 * no new stop goes out), `ignored` (nothing for the stop to follow), or `shrunk` / `grown` (the stop
 * follows the size).
 */
export type PositionChange = 'below_lot' | 'closing' | 'ignored' | 'shrunk' | 'grown';

/** What the change reads of the position's record. */
export interface FollowedPosition {
  positionId: string;
  qty: number;
  closing: object | null;
  takeProfit: { keep: number } | null;
  /**
   * The position's size before the last take-profit's sale (growth beside it included): a late event
   * of that sale reports at most this. Null: no sale settled since this was kept, any own-close growth
   * is such an event.
   */
  soldFrom?: number | null;
}

/**
 * Reads a position event of `qty` whole lots, named by `intentId`, against the record. Ignored: the
 * part a take-profit is selling (its outcome decides what the stop covers; what grows beside it is
 * counted by seenWhileSelling), an unchanged size, and a growth by one of the position's own closes up
 * to the size before its sale: that event is older than what the close's order event already told (a
 * take-profit's first fill read after its last). An own close cannot grow the position past that size:
 * more is a growth the stop follows.
 */
export function positionChange(
  record: FollowedPosition,
  qty: number,
  intentId: string | null | undefined,
): PositionChange {
  if (record.closing) return qty <= 0 ? 'below_lot' : 'closing';
  if (record.takeProfit && qty > record.takeProfit.keep) return 'ignored';
  if (Math.abs(qty - record.qty) <= 1e-12) return 'ignored';
  if (qty > record.qty && isOwnClose(record.positionId, intentId) && qty <= (record.soldFrom ?? qty) + 1e-12)
    return 'ignored';
  return qty < record.qty ? 'shrunk' : 'grown';
}
