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

const num = (filter: Record<string, unknown> | undefined, key: string): number => Number(filter?.[key] ?? 0);

/**
 * Market rules (tick, step, minimums) from a recorded Binance spot `exchangeInfo`, so paper orders
 * round and refuse exactly as the venue did; keyed by normalised symbol (`BTC-USDT`).
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
    const byType = new Map(s.filters.map((f) => [f.filterType, f as Record<string, unknown>]));
    const notional = byType.get('MIN_NOTIONAL') ?? byType.get('NOTIONAL');
    const tickSize = num(byType.get('PRICE_FILTER'), 'tickSize');
    const stepSize = num(byType.get('LOT_SIZE'), 'stepSize');
    if (!(tickSize > 0 && stepSize > 0)) continue;
    rules.set(`${s.baseAsset}-${s.quoteAsset}`, {
      tickSize,
      stepSize,
      minQty: num(byType.get('LOT_SIZE'), 'minQty'),
      minNotional: num(notional, 'minNotional'),
    });
  }
  return rules;
}
