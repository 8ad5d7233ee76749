import type { OrderSide } from '@ballast/contracts';
import type { MarketRules } from '../risk/market-rules';
import { isMultipleOfStep } from '../risk/precision';

/** The Binance spot filter an order fails, and the reject reason the order manager reports for it. */
export type OrderFilterFailure = {
  filter: 'LOT_SIZE' | 'MARKET_LOT_SIZE' | 'PRICE_FILTER' | 'PERCENT_PRICE' | 'NOTIONAL';
  reason: 'precision' | 'min_notional' | 'invalid_order';
  detail: string;
};

/**
 * The first exchange filter an order fails, or null: its quantity must be a whole number of steps,
 * at least the minimum quantity and at most the maximum (a market order's own, lower maximum too), a
 * limit price a whole number of ticks within the venue's price range and percent band around
 * `referencePrice`, and quantity × price (the limit, else `referencePrice`, the touch a market order
 * trades at) between the minimum and maximum notional. The paper broker refuses what the live venue
 * would, so paper and backtest results hold no order live refuses. Binance measures the percent band
 * against its 5-minute average price; the reference (the touch) stands in for it.
 */
export function orderFilterFailure(
  order: { qty: number; price: number | null; side?: OrderSide },
  rules: MarketRules,
  referencePrice: number,
): OrderFilterFailure | null {
  return (
    quantityFailure(order, rules) ??
    priceFailure(order, rules, referencePrice) ??
    notionalFailure(order, rules, referencePrice)
  );
}

function quantityFailure(
  order: { qty: number; price: number | null },
  rules: MarketRules,
): OrderFilterFailure | null {
  const { qty } = order;
  if (!isMultipleOfStep(qty, rules.stepSize))
    return fail('LOT_SIZE', 'precision', `quantity ${qty} is not a multiple of the step ${rules.stepSize}`);
  if (qty < rules.minQty)
    return fail('LOT_SIZE', 'invalid_order', `quantity ${qty} is below the minimum ${rules.minQty}`);
  if (rules.maxQty !== undefined && qty > rules.maxQty)
    return fail('LOT_SIZE', 'invalid_order', `quantity ${qty} is above the maximum ${rules.maxQty}`);
  if (order.price === null && rules.marketMaxQty !== undefined && qty > rules.marketMaxQty)
    return fail(
      'MARKET_LOT_SIZE',
      'invalid_order',
      `market quantity ${qty} is above the maximum ${rules.marketMaxQty}`,
    );
  return null;
}

function priceFailure(
  order: { price: number | null; side?: OrderSide },
  rules: MarketRules,
  referencePrice: number,
): OrderFilterFailure | null {
  const { price } = order;
  if (price === null) return null;
  if (!isMultipleOfStep(price, rules.tickSize))
    return fail(
      'PRICE_FILTER',
      'precision',
      `price ${price} is not a multiple of the tick ${rules.tickSize}`,
    );
  if (
    (rules.minPrice !== undefined && price < rules.minPrice) ||
    (rules.maxPrice !== undefined && price > rules.maxPrice)
  )
    return fail(
      'PRICE_FILTER',
      'invalid_order',
      `price ${price} is outside ${rules.minPrice ?? 0}..${rules.maxPrice ?? 'any'}`,
    );
  const band = rules.percentPrice?.[order.side ?? 'buy'];
  if (band && referencePrice > 0 && (price > referencePrice * band.up || price < referencePrice * band.down))
    return fail(
      'PERCENT_PRICE',
      'invalid_order',
      `price ${price} is outside ${band.down}..${band.up} × the reference ${referencePrice}`,
    );
  return null;
}

function notionalFailure(
  order: { qty: number; price: number | null },
  rules: MarketRules,
  referencePrice: number,
): OrderFilterFailure | null {
  const { qty, price } = order;
  const notional = qty * (price ?? referencePrice);
  if (notional < rules.minNotional)
    return fail(
      'NOTIONAL',
      'min_notional',
      `notional ${notional} (${qty} at ${price ?? referencePrice}) is below the minimum ${rules.minNotional}`,
    );
  if (rules.maxNotional !== undefined && notional > rules.maxNotional)
    return fail(
      'NOTIONAL',
      'invalid_order',
      `notional ${notional} (${qty} at ${price ?? referencePrice}) is above the maximum ${rules.maxNotional}`,
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
