import type { OrderSide } from '@ballast/contracts';
import type { PriceLevel } from '../market-data/order-book';
import { roundDownToStep } from '../risk/precision';
import { fromLotUnits, lotDecimals, sumLots, toLotUnits } from './lot-units';

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
 * left unfilled: the caller decides whether a partial fill is acceptable. Quantities are counted in
 * integer units, so with the market's lot step (`stepSize`) every fill is an exact multiple of it when
 * the book's sizes are, and the fills sum exactly to what was filled.
 */
export function walkBook(
  book: WalkableBook,
  side: OrderSide,
  qty: number,
  limitPrice?: number,
  stepSize?: number,
): BookWalk {
  const levels = sortedSide(book, side);
  const fills: BookFill[] = [];
  // A venue fills whole steps only. Counting is in units of the finest decimal seen so far, so a
  // level printed finer than the step (an older listing) is still taken exactly as printed.
  const wanted = stepSize === undefined ? qty : roundDownToStep(qty, stepSize);
  let decimals = Math.max(lotDecimals(wanted), stepSize === undefined ? 0 : lotDecimals(stepSize));
  let remaining = toLotUnits(wanted, decimals);
  for (const [price, size] of levels) {
    if (remaining <= 0) break;
    if (limitPrice !== undefined && (side === 'buy' ? price > limitPrice : price < limitPrice)) break;
    const finer = Math.max(decimals, lotDecimals(size));
    remaining *= 10 ** (finer - decimals);
    decimals = finer;
    const take = Math.min(toLotUnits(size, decimals), remaining);
    if (take > 0) fills.push({ price, qty: fromLotUnits(take, decimals) });
    remaining -= take;
  }
  return summarise(fills, side, levels[0]?.[0] ?? null);
}

function sortedSide(book: WalkableBook, side: OrderSide): PriceLevel[] {
  const levels = (side === 'buy' ? book.asks : book.bids).filter(([, size]) => size > 0);
  return [...levels].sort((a, b) => (side === 'buy' ? a[0] - b[0] : b[0] - a[0]));
}

function summarise(fills: BookFill[], side: OrderSide, touch: number | null): BookWalk {
  const filledQty = sumLots(fills.map((f) => f.qty));
  const notional = fills.reduce((s, f) => s + f.price * f.qty, 0);
  const avgPrice = filledQty > 0 ? notional / filledQty : null;
  const adverse =
    avgPrice === null || touch === null ? 0 : side === 'buy' ? avgPrice - touch : touch - avgPrice;
  const slippageBps = touch === null ? 0 : (adverse / touch) * 10_000;
  return { fills, filledQty, notional, avgPrice, touch, slippageBps };
}
