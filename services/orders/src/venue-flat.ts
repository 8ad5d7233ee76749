import { type MarketRules, roundDownToStep } from '@ballast/core';

export type FlatVerdict =
  | { flat: true; residual: number }
  | { flat: false; residual: number; detail: string };

/**
 * Is what the venue still holds of a spot market's base asset too small to trade? Below one lot, or
 * below the minimum notional at `price`, it is dust: nothing further can be closed, so the account is
 * flat. On spot the venue's balance is the truth; the local fold of our fills is only a plan.
 */
export function venueFlat(residual: number, rules: MarketRules, price: number): FlatVerdict {
  const tradable = roundDownToStep(Math.max(0, residual), rules.stepSize);
  if (tradable < Math.max(rules.minQty, rules.stepSize) || tradable * price < rules.minNotional)
    return { flat: true, residual };
  return { flat: false, residual, detail: `the venue still holds ${residual} (${tradable} tradable)` };
}
