import { roundUpToStep } from '../risk/precision';
import type { TradableRules } from './dust';

/**
 * The smallest quantity the venue takes at `price`: one step, its minimum quantity and its minimum
 * notional, rounded up to the quantity step. A price of 0 (none known) skips the notional.
 */
export function smallestOrderQty(rules: TradableRules, price: number): number {
  const byNotional = price > 0 ? rules.minNotional / price : 0;
  return roundUpToStep(Math.max(rules.stepSize, rules.minQty, byNotional), rules.stepSize);
}

/**
 * How far above the venue's minimum notional a TWAP slice is planned. Binance judges a market order's
 * notional on its 5-minute average price (MIN_NOTIONAL avgPriceMins), not on the touch the plan was
 * priced at, and a slice goes out up to the plan's duration later: a slice planned exactly at the
 * minimum is refused on the first tick down. 10% keeps every slice tradable through a 9% fall, more
 * than BTC moves in the minutes a TWAP runs, at the cost of fewer, larger slices for a small order.
 */
export const SLICE_NOTIONAL_MARGIN = 0.1;

/** The smallest TWAP slice at `price`: the smallest order, its notional minimum raised by `margin`. */
export function smallestSliceQty(
  rules: TradableRules,
  price: number,
  margin = SLICE_NOTIONAL_MARGIN,
): number {
  return smallestOrderQty({ ...rules, minNotional: rules.minNotional * (1 + margin) }, price);
}
