import type { BookUpdate } from '@ballast/contracts';
import { roundDownToStep, roundUpToStep } from '@ballast/core';

/**
 * The book a replayed candle stands for: one level a side at `price` ± `slippageBps`, deep enough
 * for any order we send. Recorded klines carry no depth, so this is the honest minimum: every market
 * order pays the configured slippage and none moves the price (no market impact). A venue only
 * quotes on its tick, so each side is rounded to `tickSize` away from the mid: the taker never gets
 * a better price than the slippage gives.
 */
export function candleBook(
  exchange: string,
  symbol: string,
  price: number,
  slippageBps: number,
  tickSize: number,
  time: number,
  updateId: number,
): BookUpdate {
  const offset = price * (slippageBps / 10_000);
  // Depth in quote terms: far above any sized order, so the walk never runs out of book.
  const depth = 1e12 / price;
  return {
    exchange,
    symbol,
    kind: 'snapshot',
    firstUpdateId: null,
    lastUpdateId: updateId,
    bids: [[roundDownToStep(price - offset, tickSize), depth]],
    asks: [[roundUpToStep(price + offset, tickSize), depth]],
    time,
  };
}
