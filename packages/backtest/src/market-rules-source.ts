import type { MarketRules } from '@ballast/core';
import type { BacktestConfig } from './backtest-config';
import { loadExchangeInfoRules } from './exchange-info-rules';

/** Where a symbol's tick, step and minimums came from: the config, a recorded exchangeInfo, or assumed. */
export type MarketRulesSource = 'config' | 'exchange_info' | 'assumed';

/** Rules of a symbol nothing describes: fine enough never to round, Binance's usual minimum notional. */
export const ASSUMED_RULES: MarketRules = { tickSize: 1e-8, stepSize: 1e-8, minQty: 0, minNotional: 10 };

export interface MarketRulesBook {
  rules(symbol: string): MarketRules;
  source(symbol: string): MarketRulesSource;
}

/**
 * The market rules a run rounds and refuses orders with: the config's `marketRules` first, then the
 * `exchangeInfoFile`, else ASSUMED_RULES, which the result names so an unrealistic precision is seen.
 */
export function marketRulesBook(config: BacktestConfig): MarketRulesBook {
  const fromFile = config.exchangeInfoFile ? loadExchangeInfoRules(config.exchangeInfoFile) : new Map();
  const source = (symbol: string): MarketRulesSource =>
    config.marketRules[symbol] ? 'config' : fromFile.has(symbol) ? 'exchange_info' : 'assumed';
  return {
    rules: (symbol) => config.marketRules[symbol] ?? fromFile.get(symbol) ?? ASSUMED_RULES,
    source,
  };
}

/**
 * Names the symbols whose orders were rounded with ASSUMED_RULES (their fills are finer than the
 * venue's), with how to give real ones; null when every symbol had rules.
 */
export function assumedRulesWarning(
  rules: Readonly<Record<string, { source: MarketRulesSource }>>,
): string | null {
  const assumed = Object.entries(rules)
    .filter(([, r]) => r.source === 'assumed')
    .map(([symbol]) => symbol);
  if (assumed.length === 0) return null;
  const { tickSize, stepSize, minNotional } = ASSUMED_RULES;
  return (
    `warning: no market rules for ${assumed.join(', ')}: tick ${tickSize}, step ${stepSize} and minimum ` +
    `notional ${minNotional} assumed, so orders round finer than the venue would. Give --exchange-info FILE ` +
    '(a Binance spot exchangeInfo) or marketRules in --config.'
  );
}
