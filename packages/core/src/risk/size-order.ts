import type { MarketRules } from './market-rules';
import { roundDownToStep, roundToStep } from './precision';
import { type Denial, deny } from './verdict';

export type SizedOrder = { ok: true; qty: number; price: number; notional: number };

/**
 * Fits an order to a market's precision: quantity rounded DOWN to the step (never more than
 * was asked for), price rounded to the nearest tick, then the venue minimums checked so we
 * deny here instead of being rejected by the venue.
 */
export function sizeOrder(order: { qty: number; price: number }, rules: MarketRules): SizedOrder | Denial {
  const price = roundToStep(order.price, rules.tickSize);
  const qty = roundDownToStep(Math.max(0, order.qty), rules.stepSize);
  if (qty <= 0 || qty < rules.minQty) {
    return deny('min_notional', rules.minQty, qty, `quantity ${qty} is below the minimum ${rules.minQty}`);
  }
  const notional = qty * price;
  if (notional < rules.minNotional) {
    return deny(
      'min_notional',
      rules.minNotional,
      notional,
      `notional ${notional} (${qty} × ${price}) is below the minimum ${rules.minNotional}`,
    );
  }
  return { ok: true, qty, price, notional };
}
