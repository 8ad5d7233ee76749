import type { OrderSide } from '@ballast/contracts';
import type { PriceLevel } from '../market-data/order-book';

/** The visible book a taker walks: [price, size] levels in any order. */
export type WalkableBook = { bids: readonly PriceLevel[]; asks: readonly PriceLevel[] };

export type BookFill = { price: number; qty: number };

export type BookWalk = {
  fills: BookFill[];
  filledQty: number;
  /** Quote money exchanged: Σ price × qty over the fills. */
  notional: number;
  /** Volume-weighted price, or null when nothing filled. */
  avgPrice: number | null;
  /** The best price on the side taken, or null for an empty side. */
  touch: number | null;
  /** Adverse move of the average price from the touch, in basis points (0 when nothing filled). */
  slippageBps: number;
};

/**
 * Takes `qty` from the side a `side` order trades against (a buy lifts asks from the lowest, a sell
 * hits bids from the highest), stopping at `limitPrice` when given. What the book cannot supply is
 * left unfilled: the caller decides whether a partial fill is acceptable.
 */
export function walkBook(book: WalkableBook, side: OrderSide, qty: number, limitPrice?: number): BookWalk {
  const levels = sortedSide(book, side);
  const fills: BookFill[] = [];
  let remaining = qty;
  for (const [price, size] of levels) {
    if (remaining <= qty * 1e-12) break;
    if (limitPrice !== undefined && (side === 'buy' ? price > limitPrice : price < limitPrice)) break;
    const take = Math.min(size, remaining);
    fills.push({ price, qty: take });
    remaining -= take;
  }
  return summarise(fills, side, levels[0]?.[0] ?? null);
}

function sortedSide(book: WalkableBook, side: OrderSide): PriceLevel[] {
  const levels = (side === 'buy' ? book.asks : book.bids).filter(([, size]) => size > 0);
  return [...levels].sort((a, b) => (side === 'buy' ? a[0] - b[0] : b[0] - a[0]));
}

function summarise(fills: BookFill[], side: OrderSide, touch: number | null): BookWalk {
  const filledQty = fills.reduce((s, f) => s + f.qty, 0);
  const notional = fills.reduce((s, f) => s + f.price * f.qty, 0);
  const avgPrice = filledQty > 0 ? notional / filledQty : null;
  const adverse =
    avgPrice === null || touch === null ? 0 : side === 'buy' ? avgPrice - touch : touch - avgPrice;
  const slippageBps = touch === null ? 0 : (adverse / touch) * 10_000;
  return { fills, filledQty, notional, avgPrice, touch, slippageBps };
}
