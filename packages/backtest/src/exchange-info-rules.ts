import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { MarketRules } from '@ballast/core';
import { z } from 'zod';
import { BacktestError } from './backtest-error';

const Filter = z.looseObject({ filterType: z.string() });
const ExchangeInfo = z.object({
  symbols: z.array(
    z.looseObject({ baseAsset: z.string(), quoteAsset: z.string(), filters: z.array(Filter) }),
  ),
});

type FilterFields = Record<string, unknown> | undefined;

const num = (filter: FilterFields, key: string): number => Number(filter?.[key] ?? 0);

/** A maximum or minimum Binance writes as 0 when the filter does not limit it: absent here. */
const limit = (filter: FilterFields, key: string): number | undefined => {
  const value = num(filter, key);
  return value > 0 ? value : undefined;
};

/** PERCENT_PRICE_BY_SIDE's bid band for buys and ask band for sells, else PERCENT_PRICE's for both. */
function percentPrice(byType: Map<string, FilterFields>): MarketRules['percentPrice'] {
  const bySide = byType.get('PERCENT_PRICE_BY_SIDE');
  if (bySide)
    return {
      buy: { up: num(bySide, 'bidMultiplierUp'), down: num(bySide, 'bidMultiplierDown') },
      sell: { up: num(bySide, 'askMultiplierUp'), down: num(bySide, 'askMultiplierDown') },
    };
  const both = byType.get('PERCENT_PRICE');
  if (!both) return undefined;
  const band = { up: num(both, 'multiplierUp'), down: num(both, 'multiplierDown') };
  return { buy: band, sell: band };
}

/** The filters beyond tick, step and minimums; only those the recording sets. */
function maximums(byType: Map<string, FilterFields>): Partial<MarketRules> {
  const fields: Partial<MarketRules> = {
    maxQty: limit(byType.get('LOT_SIZE'), 'maxQty'),
    marketMaxQty: limit(byType.get('MARKET_LOT_SIZE'), 'maxQty'),
    maxNotional: limit(byType.get('NOTIONAL'), 'maxNotional'),
    minPrice: limit(byType.get('PRICE_FILTER'), 'minPrice'),
    maxPrice: limit(byType.get('PRICE_FILTER'), 'maxPrice'),
    percentPrice: percentPrice(byType),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/**
 * Market rules (tick, step, minimums, maximums, percent band) from a recorded Binance spot
 * `exchangeInfo`, so paper orders round and refuse exactly as the venue did; keyed by normalised
 * symbol (`BTC-USDT`).
 */
export function loadExchangeInfoRules(path: string): Map<string, MarketRules> {
  let raw: unknown;
  try {
    const buffer = readFileSync(path);
    raw = JSON.parse((path.endsWith('.gz') ? gunzipSync(buffer) : buffer).toString('utf8'));
  } catch (err) {
    throw new BacktestError('bad_input', `cannot read exchangeInfo ${path}: ${(err as Error).message}`);
  }
  const parsed = ExchangeInfo.safeParse(raw);
  if (!parsed.success) throw new BacktestError('bad_input', `${path} is not a Binance exchangeInfo response`);
  const rules = new Map<string, MarketRules>();
  for (const s of parsed.data.symbols) {
    const byType = new Map(s.filters.map((f) => [f.filterType, f as FilterFields]));
    const notional = byType.get('MIN_NOTIONAL') ?? byType.get('NOTIONAL');
    const tickSize = num(byType.get('PRICE_FILTER'), 'tickSize');
    const stepSize = num(byType.get('LOT_SIZE'), 'stepSize');
    if (!(tickSize > 0 && stepSize > 0)) continue;
    rules.set(`${s.baseAsset}-${s.quoteAsset}`, {
      tickSize,
      stepSize,
      minQty: num(byType.get('LOT_SIZE'), 'minQty'),
      minNotional: num(notional, 'minNotional'),
      ...maximums(byType),
    });
  }
  return rules;
}
