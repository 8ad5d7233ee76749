import type { BookLevel, PositionSide } from '@ballast/contracts';

/** The visible book: [price, size] levels, in any order. */
export type BookDepth = { bids: readonly BookLevel[]; asks: readonly BookLevel[] };

/**
 * Base quantity resting within `bandBps` of the touch on the side an entry would take:
 * a long buys from the asks, a short sells into the bids.
 */
export function depthWithinBand(book: BookDepth, side: PositionSide, bandBps: number): number {
  const levels = (side === 'long' ? book.asks : book.bids).filter(([, size]) => size > 0);
  if (levels.length === 0) return 0;
  const prices = levels.map(([price]) => price);
  const touch = side === 'long' ? Math.min(...prices) : Math.max(...prices);
  const band = (touch * bandBps) / 10_000;
  const inBand = side === 'long' ? (p: number) => p <= touch + band : (p: number) => p >= touch - band;
  return levels.reduce((sum, [price, size]) => (inBand(price) ? sum + size : sum), 0);
}
