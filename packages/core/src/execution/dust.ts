import type { MarketRules } from '../risk/market-rules';
import { roundDownToStep } from '../risk/precision';

/** The venue's rules that decide whether a quantity can be traded at all. */
export type TradableRules = Pick<MarketRules, 'stepSize' | 'minQty' | 'minNotional'>;

/**
 * Whether the venue refuses every order for `qty` at `price`: rounded down to its step, it is below one
 * step, the minimum quantity or the minimum notional. A remainder like that cannot be closed: it is dust
 * (a base-asset fee takes 0.000001 of a 0.001 BTC buy, a sale on the step leaves 0.000009).
 */
export function isDust(qty: number, rules: TradableRules, price: number): boolean {
  const tradable = roundDownToStep(Math.max(0, qty), rules.stepSize);
  return tradable < Math.max(rules.minQty, rules.stepSize) || tradable * price < rules.minNotional;
}
