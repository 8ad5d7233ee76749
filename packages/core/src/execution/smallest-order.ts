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
