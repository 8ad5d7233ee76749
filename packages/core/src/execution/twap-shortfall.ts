import { subtractLots, sumLots } from './lot-units';
import { MAX_TWAP_SLICES } from './twap-plan';

/**
 * What becomes of the rest of a TWAP market slice the venue ended part-filled (it took what the book
 * held and cancelled the rest, as Binance does).
 */
export type TwapShortfall =
  /** An exit: the rest joins the next planned slice, which then carries `qty`. */
  | { action: 'fold'; into: string; qty: number; unfilledQty: number }
  /** An exit with no later slice that can take it: the rest goes as catch-up slices of `qty` each. */
  | { action: 'catch_up'; qty: number[]; unfilledQty: number }
  /** The rest stays unfilled (`why`), for the operator to hear of. */
  | { action: 'end'; unfilledQty: number; why: ShortfallEnd };

/**
 * Why a shortfall is left unfilled: an entry's (risk freed its room when the slice was announced
 * cancelled: buying it later would exceed what risk sized), one below the venue's smallest order, an
 * exit whose catch-up slices took nothing or ran out (CATCH_UP_SLICES), or one that could not be
 * planned (the market's rules or the slices unread when the slice ended).
 */
export type ShortfallEnd = 'entry' | 'below_minimum' | 'no_progress' | 'catch_ups_spent' | 'not_planned';

/**
 * A TWAP's catch-up slices are numbered from here, past any planned slice (MAX_TWAP_SLICES), so they
 * are told apart and counted by their index, and their client order ids derive from intent and index.
 */
export const CATCH_UP_FIRST_SLICE = MAX_TWAP_SLICES;

/** How many catch-up slices one TWAP sends at most: a book that stays thin ends it, alerted. */
export const CATCH_UP_SLICES = 5;

/**
 * The rest of a part-filled TWAP market slice. An exit's rest must not be lost (the position stays
 * open): folded into the next planned slice when the sum stays within the venue's market maximum
 * (`cap`), else sent as catch-up slices after the TWAP, within it, while each slice still fills
 * something. An entry's rest is not bought: risk freed its room on the cancellation.
 */
export function afterShortFill(input: {
  slice: { qty: number; filledQty: number; reduceOnly: boolean; slice: number };
  next: { clientOrderId: string; qty: number } | undefined;
  /** The largest market order the venue takes (marketOrderCap); undefined: uncapped. */
  cap: number | undefined;
  /** The smallest order the venue takes at the price now (smallestOrderQty). */
  smallest: number;
  /** The TWAP's catch-up slices so far. */
  catchUps: number;
  /** The rest as market orders within `cap` (marketCloseChunks). */
  chunks: (qty: number) => number[];
}): TwapShortfall {
  const { slice, next, cap, smallest, catchUps, chunks } = input;
  const unfilledQty = subtractLots(slice.qty, slice.filledQty);
  if (!slice.reduceOnly) return { action: 'end', unfilledQty, why: 'entry' };
  if (next) {
    const qty = sumLots([next.qty, unfilledQty]);
    if (cap === undefined || qty <= cap)
      return { action: 'fold', into: next.clientOrderId, qty, unfilledQty };
  }
  if (unfilledQty < smallest) return { action: 'end', unfilledQty, why: 'below_minimum' };
  if (slice.filledQty <= 0 && slice.slice >= CATCH_UP_FIRST_SLICE)
    return { action: 'end', unfilledQty, why: 'no_progress' };
  const qty = chunks(unfilledQty);
  if (catchUps + qty.length > CATCH_UP_SLICES) return { action: 'end', unfilledQty, why: 'catch_ups_spent' };
  return { action: 'catch_up', qty, unfilledQty };
}
