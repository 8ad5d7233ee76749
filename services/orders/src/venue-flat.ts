import { isDust, type MarketRules, roundDownToStep } from '@ballast/core';

export type FlatVerdict =
  | { flat: true; residual: number }
  | { flat: false; residual: number; detail: string };

/**
 * Is what the venue still holds of a spot market's base asset (beyond holdings that are not positions)
 * too small to trade? Below one lot, or below the minimum notional at `price`, it is dust: nothing
 * further can be closed, so the account is flat. On spot the venue's balance is the truth; the local
 * fold of our fills is only a plan.
 */
export function venueFlat(residual: number, rules: MarketRules, price: number): FlatVerdict {
  if (isDust(residual, rules, price)) return { flat: true, residual };
  const tradable = roundDownToStep(residual, rules.stepSize);
  return { flat: false, residual, detail: `the venue still holds ${residual} (${tradable} tradable)` };
}
