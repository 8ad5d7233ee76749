import { toUnits, type Units } from './decimal';

/** The recorded `/api/v3/exchangeInfo` document, kept as parsed JSON so it is served as recorded. */
export interface ExchangeInfo {
  serverTime: number;
  symbols: ExchangeSymbol[];
  [key: string]: unknown;
}

export interface ExchangeSymbol {
  symbol: string;
  status: string;
  baseAsset: string;
  quoteAsset: string;
  orderTypes: string[];
  filters: Array<{ filterType: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** The trading rules the matching engine enforces, read from a symbol's real filters. */
export interface SymbolRules {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  orderTypes: string[];
  minPrice: Units;
  maxPrice: Units;
  tickSize: Units;
  minQty: Units;
  maxQty: Units;
  stepSize: Units;
  /** MARKET_LOT_SIZE maxQty: a market order's own, lower maximum; 0n when the symbol has none. */
  marketMaxQty: Units;
  minNotional: Units;
  minNotionalAppliesToMarket: boolean;
}

/** Keeps only the listed symbols (all when `symbols` is empty); everything else stays as recorded. */
export function filterExchangeInfo(info: ExchangeInfo, symbols: readonly string[]): ExchangeInfo {
  if (symbols.length === 0) return info;
  const wanted = new Set(symbols);
  return { ...info, symbols: info.symbols.filter((s) => wanted.has(s.symbol)) };
}

export function symbolRules(s: ExchangeSymbol): SymbolRules {
  const filter = (type: string) => s.filters.find((f) => f.filterType === type) ?? {};
  const units = (f: Record<string, unknown>, key: string) =>
    typeof f[key] === 'string' ? toUnits(f[key]) : 0n;
  const price = filter('PRICE_FILTER');
  const lot = filter('LOT_SIZE');
  const marketLot = filter('MARKET_LOT_SIZE');
  // MIN_NOTIONAL was renamed NOTIONAL in 2023; accept either so newer recordings work too.
  const notional: Record<string, unknown> =
    s.filters.find((f) => f.filterType === 'MIN_NOTIONAL' || f.filterType === 'NOTIONAL') ?? {};
  return {
    symbol: s.symbol,
    baseAsset: s.baseAsset,
    quoteAsset: s.quoteAsset,
    orderTypes: s.orderTypes,
    minPrice: units(price, 'minPrice'),
    maxPrice: units(price, 'maxPrice'),
    tickSize: units(price, 'tickSize'),
    minQty: units(lot, 'minQty'),
    maxQty: units(lot, 'maxQty'),
    stepSize: units(lot, 'stepSize'),
    marketMaxQty: units(marketLot, 'maxQty'),
    minNotional: units(notional, 'minNotional'),
    minNotionalAppliesToMarket: notional.applyToMarket !== false,
  };
}
