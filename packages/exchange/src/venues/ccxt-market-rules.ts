import type { MarketRules } from '@ballast/core';

/** The parts of a ccxt market the rules are read from (ccxt's normalised limits, the venue's raw filters). */
export type CcxtMarketLimits = {
  limits: {
    amount?: { min?: number; max?: number };
    market?: { min?: number; max?: number };
    cost?: { min?: number; max?: number };
    price?: { min?: number; max?: number };
  };
  info?: { filters?: unknown };
};

/**
 * The maximums and percent band of a ccxt market: ccxt normalises LOT_SIZE (amount), MARKET_LOT_SIZE
 * (market), NOTIONAL (cost) and PRICE_FILTER (price); the percent band only Binance's raw filters carry.
 * A limit the venue leaves at 0 (or does not give) limits nothing.
 */
export function ccxtMarketMaximums(market: CcxtMarketLimits): Partial<MarketRules> {
  const { limits } = market;
  const fields: Partial<MarketRules> = {
    maxQty: positive(limits.amount?.max),
    marketMaxQty: positive(limits.market?.max),
    maxNotional: positive(limits.cost?.max),
    minPrice: positive(limits.price?.min),
    maxPrice: positive(limits.price?.max),
    percentPrice: percentBand(market.info?.filters),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const positive = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;

type RawFilter = Record<string, unknown> & { filterType?: unknown };

/** Binance PERCENT_PRICE_BY_SIDE (a buy's bid band, a sell's ask band), else PERCENT_PRICE for both. */
function percentBand(filters: unknown): MarketRules['percentPrice'] {
  if (!Array.isArray(filters)) return undefined;
  const find = (type: string) => (filters as RawFilter[]).find((f) => f?.filterType === type);
  const band = (f: RawFilter, up: string, down: string) => ({ up: Number(f[up]), down: Number(f[down]) });
  const bySide = find('PERCENT_PRICE_BY_SIDE');
  if (bySide)
    return {
      buy: band(bySide, 'bidMultiplierUp', 'bidMultiplierDown'),
      sell: band(bySide, 'askMultiplierUp', 'askMultiplierDown'),
    };
  const both = find('PERCENT_PRICE');
  if (!both) return undefined;
  const b = band(both, 'multiplierUp', 'multiplierDown');
  return b.up > 0 ? { buy: b, sell: b } : undefined;
}
