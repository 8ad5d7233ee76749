import { isMultipleOfStep, type MarketRules } from '@ballast/core';
import type { VenueErrorReason } from './order-venue';

/** Binance's answer to a refused request: `{"code":-1013,"msg":"Filter failure: NOTIONAL"}`. */
export type BinanceErrorBody = { code: number; msg: string };

/** The order Binance refused and its market's rules, to tell a refusal for precision from one for range. */
export type RefusedOrder = {
  order: { qty: number; price: number | null; referencePrice?: number };
  rules: MarketRules;
};

/**
 * The Binance body a ccxt error message carries (`binance {"code":-1013,"msg":"…"}`, after ccxt's own
 * words). A message ccxt matched by its wording keeps the wording only (`binance Filter failure:
 * PERCENT_PRICE_BY_SIDE`): a filter failure is -1013 all the same.
 */
export function binanceErrorBody(message: string): BinanceErrorBody | undefined {
  const body = /\{"code":(-?\d+),"msg":"((?:[^"\\]|\\.)*)"\}/.exec(message);
  if (body) return { code: Number(body[1]), msg: body[2] ?? '' };
  const filter = /^binance (Filter failure: \w+)$/.exec(message);
  return filter ? { code: -1013, msg: filter[1] ?? '' } : undefined;
}

/**
 * The reason the paper venue gives (core's `orderFilterFailure`) for an order Binance refused, so paper
 * and live name a refusal alike (the TWAP pacer folds a slice refused for its size into the next only
 * for `min_notional` and `precision`); undefined for an answer that is not such a refusal. Binance names
 * only the filter (-1013 `Filter failure: LOT_SIZE`): with the order and its rules, a quantity off the
 * step or a price off the tick is told apart from one out of range, as paper tells them apart; without
 * them, only the notional minimum is named.
 */
export function binanceRefusalReason(
  body: BinanceErrorBody,
  refused?: RefusedOrder,
): VenueErrorReason | undefined {
  if (body.code === -1111) return 'precision'; // Precision is over the maximum defined for this asset.
  if (body.code === -2010 && body.msg === 'Account has insufficient balance for requested action.')
    return 'insufficient_funds';
  if (body.code !== -1013) return undefined;
  const filter = /^Filter failure: (\w+)/.exec(body.msg)?.[1];
  if (filter === undefined) return undefined;
  return filterReason(filter, refused);
}

function filterReason(filter: string, refused: RefusedOrder | undefined): VenueErrorReason {
  const order = refused?.order;
  const rules = refused?.rules;
  switch (filter) {
    case 'MIN_NOTIONAL':
      return 'min_notional';
    case 'NOTIONAL':
      return notionalReason(refused);
    case 'LOT_SIZE':
      return order && rules && !isMultipleOfStep(order.qty, rules.stepSize) ? 'precision' : 'invalid_order';
    case 'PRICE_FILTER':
      return order?.price != null && rules && !isMultipleOfStep(order.price, rules.tickSize)
        ? 'precision'
        : 'invalid_order';
    default:
      // MARKET_LOT_SIZE, PERCENT_PRICE(_BY_SIDE), MAX_NUM_ORDERS, MAX_NUM_ALGO_ORDERS, ICEBERG_PARTS, …
      return 'invalid_order';
  }
}

/**
 * NOTIONAL is one filter for both bounds. A limit order's price shows which one it failed. A market
 * order Binance values at its 5-minute average, which may sit away from the touch: valued at its
 * reference price (the touch, or the position's entry), it failed the bound nearer to it in ratio
 * (above the geometric middle of the two: the maximum). Thousands of times apart on Binance, the
 * bounds are told apart however far the average strayed. No price known: the minimum, as before.
 */
function notionalReason(refused: RefusedOrder | undefined): VenueErrorReason {
  const maxNotional = refused?.rules.maxNotional;
  if (refused === undefined || maxNotional === undefined) return 'min_notional';
  const { qty, price, referencePrice } = refused.order;
  if (price !== null) return qty * price > maxNotional ? 'invalid_order' : 'min_notional';
  if (referencePrice === undefined || referencePrice <= 0) return 'min_notional';
  return qty * referencePrice > Math.sqrt(refused.rules.minNotional * maxNotional)
    ? 'invalid_order'
    : 'min_notional';
}
