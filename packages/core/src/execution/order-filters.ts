import type { MarketRules } from '../risk/market-rules';
import { isMultipleOfStep } from '../risk/precision';

/** The Binance spot filter an order fails, and the reject reason the order manager reports for it. */
export type OrderFilterFailure = {
  filter: 'LOT_SIZE' | 'PRICE_FILTER' | 'NOTIONAL';
  reason: 'precision' | 'min_notional' | 'invalid_order';
  detail: string;
};

/**
 * The first exchange filter an order fails, or null: its quantity must be a whole number of steps and
 * at least the minimum quantity, a limit price a whole number of ticks, and quantity × price (the limit,
 * else `referencePrice`, the touch a market order trades at) at least the minimum notional. The paper
 * broker refuses what the live venue would, so paper and backtest results hold no order live refuses.
 */
export function orderFilterFailure(
  order: { qty: number; price: number | null },
  rules: MarketRules,
  referencePrice: number,
): OrderFilterFailure | null {
  const { qty, price } = order;
  if (!isMultipleOfStep(qty, rules.stepSize))
    return fail('LOT_SIZE', 'precision', `quantity ${qty} is not a multiple of the step ${rules.stepSize}`);
  if (qty < rules.minQty)
    return fail('LOT_SIZE', 'invalid_order', `quantity ${qty} is below the minimum ${rules.minQty}`);
  if (price !== null && !isMultipleOfStep(price, rules.tickSize))
    return fail(
      'PRICE_FILTER',
      'precision',
      `price ${price} is not a multiple of the tick ${rules.tickSize}`,
    );
  const notional = qty * (price ?? referencePrice);
  if (notional < rules.minNotional)
    return fail(
      'NOTIONAL',
      'min_notional',
      `notional ${notional} (${qty} at ${price ?? referencePrice}) is below the minimum ${rules.minNotional}`,
    );
  return null;
}

function fail(
  filter: OrderFilterFailure['filter'],
  reason: OrderFilterFailure['reason'],
  detail: string,
): OrderFilterFailure {
  return { filter, reason, detail: `Filter failure: ${filter}: ${detail}` };
}
