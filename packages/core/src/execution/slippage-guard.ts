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
