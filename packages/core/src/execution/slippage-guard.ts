import type { OrderSide } from '@ballast/contracts';
import { type WalkableBook, walkBook } from './book-walk';

export type SlippageCheck =
  | { ok: true; expectedBps: number; avgPrice: number }
  | { ok: false; reason: 'slippage'; limit: number; value: number; detail: string };

/**
 * Would a market order of `qty` move the average price more than `maxBps` from the touch? A book
 * too thin to fill the whole size counts as infinite slippage: the order cannot be priced.
 */
export function checkSlippage(
  book: WalkableBook,
  side: OrderSide,
  qty: number,
  maxBps: number,
): SlippageCheck {
  const walk = walkBook(book, side, qty);
  if (walk.avgPrice === null || walk.filledQty < qty * (1 - 1e-9)) {
    return {
      ok: false,
      reason: 'slippage',
      limit: maxBps,
      value: Number.POSITIVE_INFINITY,
      detail: `the visible book holds ${walk.filledQty} of the ${qty} a ${side} needs`,
    };
  }
  if (walk.slippageBps > maxBps) {
    return {
      ok: false,
      reason: 'slippage',
      limit: maxBps,
      value: walk.slippageBps,
      detail: `a ${side} of ${qty} averages ${walk.avgPrice}, ${walk.slippageBps.toFixed(2)} bps from the touch ${walk.touch}`,
    };
  }
  return { ok: true, expectedBps: walk.slippageBps, avgPrice: walk.avgPrice };
}

/**
 * Whether an entry TWAP slice would trade too far from the touch its entry was accepted at: risk sized
 * the entry on about that price, and each slice checked only against the book at its own send time let
 * the price drift unboundedly. `avgPrice` is what the slice averages on the book now; a move against
 * the entry (up for a buy, down for a sell) beyond `maxBps` fails. Exits are never held to it.
 */
export function checkDriftFromAccepted(input: {
  side: OrderSide;
  acceptedTouch: number;
  avgPrice: number;
  maxBps: number;
}): { ok: true } | { ok: false; reason: 'price_moved'; limit: number; value: number; detail: string } {
  const { side, acceptedTouch, avgPrice, maxBps } = input;
  if (!(acceptedTouch > 0)) return { ok: true };
  const against = side === 'buy' ? avgPrice - acceptedTouch : acceptedTouch - avgPrice;
  const bps = (against / acceptedTouch) * 10_000;
  if (bps <= maxBps) return { ok: true };
  return {
    ok: false,
    reason: 'price_moved',
    limit: maxBps,
    value: bps,
    detail: `price_moved: a ${side} now averages ${avgPrice}, ${bps.toFixed(2)} bps from the touch ${acceptedTouch} the entry was accepted at (max ${maxBps})`,
  };
}
