import { mulUnits, type Units } from './decimal';
import type { SymbolRules } from './exchange-info';

/** The Binance filter an order failed, named as in `{"code":-1013,"msg":"Filter failure: <name>"}`. */
export type FilterFailure = 'PRICE_FILTER' | 'LOT_SIZE' | 'MARKET_LOT_SIZE' | 'MIN_NOTIONAL';

export interface FilterInput {
  quantity: Units;
  /** The limit price, or for a market order the price it is expected to trade at. */
  price: Units;
  /** A stop order's trigger, held to the same price filter as a limit price. */
  stopPrice?: Units;
  isMarket: boolean;
}

/** Checks an order against its symbol's real filters, in the order Binance reports them. */
export function checkFilters(rules: SymbolRules, o: FilterInput): FilterFailure | undefined {
  if (!o.isMarket && failsPrice(rules, o.price)) return 'PRICE_FILTER';
  if (o.stopPrice !== undefined && failsPrice(rules, o.stopPrice)) return 'PRICE_FILTER';
  if (failsLot(rules, o.quantity)) return 'LOT_SIZE';
  // Its minimum and step are 0 on Binance spot (BTCUSDT maxQty 100.05381873): only the maximum binds.
  if (o.isMarket && rules.marketMaxQty > 0n && o.quantity > rules.marketMaxQty) return 'MARKET_LOT_SIZE';
  if (
    (!o.isMarket || rules.minNotionalAppliesToMarket) &&
    mulUnits(o.price, o.quantity) < rules.minNotional
  ) {
    return 'MIN_NOTIONAL';
  }
  return undefined;
}

function failsPrice(r: SymbolRules, price: Units): boolean {
  if (price < r.minPrice || (r.maxPrice > 0n && price > r.maxPrice)) return true;
  return r.tickSize > 0n && (price - r.minPrice) % r.tickSize !== 0n;
}

function failsLot(r: SymbolRules, qty: Units): boolean {
  if (qty < r.minQty || (r.maxQty > 0n && qty > r.maxQty)) return true;
  return r.stepSize > 0n && (qty - r.minQty) % r.stepSize !== 0n;
}
