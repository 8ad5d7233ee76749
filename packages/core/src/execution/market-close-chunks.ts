import type { MarketRules } from '../risk/market-rules';
import { roundDownToStep } from '../risk/precision';
import { evenSteps } from './even-steps';
import { SLICE_NOTIONAL_MARGIN } from './smallest-order';

/** The venue's rules that bound one market order from above, and the step every order is on. */
export type MarketCapRules = Pick<MarketRules, 'stepSize' | 'maxQty' | 'marketMaxQty' | 'maxNotional'>;

/**
 * The largest market order the venue takes at `price`, on its step: LOT_SIZE maxQty, MARKET_LOT_SIZE
 * maxQty (Binance BTCUSDT 100.05381873, off its own step) and NOTIONAL maxNotional at `price` raised by
 * `margin` (Binance values a market order at its 5-minute average, which may have moved since).
 * Undefined: the venue caps nothing, or only the notional and no price is known (`price` 0).
 */
export function marketOrderCap(
  rules: MarketCapRules,
  price: number,
  margin = SLICE_NOTIONAL_MARGIN,
): number | undefined {
  const byNotional =
    rules.maxNotional !== undefined && price > 0 ? rules.maxNotional / (price * (1 + margin)) : undefined;
  const caps = [rules.maxQty, rules.marketMaxQty, byNotional].filter((c) => c !== undefined);
  return caps.length > 0 ? roundDownToStep(Math.min(...caps), rules.stepSize) : undefined;
}

/**
 * A market close of `qty` (on the step) as orders the venue takes: one when it is within the cap
 * (marketOrderCap), else as few as fit under it, of equal size in whole steps, the first ones a step
 * larger to take the remainder. Splitting evenly rather than filling the cap and leaving the rest
 * keeps every piece above half the cap, so none falls below the venue's minimum quantity or notional
 * (a venue whose cap is at least twice its smallest order; Binance's are thousands of times). A cap
 * below one step cannot be split into: the close stays whole, for the venue to refuse.
 */
export function marketCloseChunks(qty: number, rules: MarketCapRules, price: number): number[] {
  const cap = marketOrderCap(rules, price);
  if (cap === undefined || cap <= 0 || qty <= cap) return [qty];
  return evenSteps(qty, fewestOrdersUnder(qty, cap, rules.stepSize), rules.stepSize);
}

/** How many orders of at most `cap` (on the step) `qty` needs at least; 1 when the cap is below one step. */
export function fewestOrdersUnder(qty: number, cap: number | undefined, stepSize: number): number {
  const capSteps = cap === undefined ? 0 : Math.round(cap / stepSize);
  return capSteps < 1 ? 1 : Math.ceil(Math.round(qty / stepSize) / capSteps);
}

/**
 * How far above its entry a position's price is allowed for when a close is valued without a book:
 * valued at twice the entry, a close of a position that has doubled still fits under the notional cap.
 */
export const UNBOOKED_CLOSE_PRICE_FACTOR = 2;

/**
 * What a market close is valued at against the venue's maximum notional when no book is read (a
 * stop's close must not wait on a REST snapshot): the fresh streamed touch it trades at, else the
 * position's entry raised by UNBOOKED_CLOSE_PRICE_FACTOR; 0 (the notional unchecked) when neither is known.
 * Valuing high errs on the safe side: the chunks come out smaller, never above the cap.
 */
export function closeValuationPrice(touch: number | undefined, entry: number | undefined): number {
  if (touch !== undefined && touch > 0) return touch;
  return entry !== undefined && entry > 0 ? entry * UNBOOKED_CLOSE_PRICE_FACTOR : 0;
}
