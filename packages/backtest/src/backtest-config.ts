import { MarketRules, RiskLimits, StrategiesConfig } from '@ballast/core';
import { z } from 'zod';
import { BacktestError } from './backtest-error';

/**
 * Everything a backtest can be told besides the data. Each field maps onto the configuration of the
 * service that owns it, so a backtest runs the settings a live deployment would run.
 */
export const BacktestConfig = z.object({
  exchange: z
    .string()
    .regex(/^[a-z][a-z0-9]*$/)
    .default('binance'),
  quoteAsset: z.string().min(1).default('USDT'),
  initialEquity: z.number().positive().default(10_000),
  /** Paid on top of the quoted price by every market order (see the fill model in the ADR). */
  slippageBps: z.number().min(0).max(500).default(5),
  takerFee: z.number().min(0).max(0.01).default(0.001),
  makerFee: z.number().min(0).max(0.01).default(0.001),
  /** Orders service guard: a market order that would walk further than this is rejected. */
  maxSlippageBps: z.number().min(0).default(50),
  /** Signals service: StrategiesConfig (omitted fields take their defaults). */
  strategies: StrategiesConfig.prefault({}),
  minRewardRisk: z.number().positive().default(1.5),
  minHourTrades: z.number().int().positive().default(20),
  /** `rules`: the offline rules analyst and reviewer from packages/agents decide; `none`: approve all. */
  agents: z.enum(['none', 'rules']).default('rules'),
  /** Risk service limits; omitted: core's defaults. */
  riskLimits: RiskLimits.optional(),
  /** Stops service settings. */
  stops: z
    .object({
      fallbackStopPct: z.number().positive().max(0.5).default(0.02),
      /** As the stops service: trailing by 2 ATR of the backtest's timeframe unless `off` (ADR 11). */
      trailMode: z.enum(['off', 'percent', 'atr']).default('atr'),
      trailPct: z.number().positive().max(0.5).default(0.02),
      trailAtrMultiple: z.number().positive().default(2),
      tpFractions: z.array(z.number().positive().max(1)).min(1).default([0.5]),
      breakevenFeeRate: z.number().min(0).max(0.05).default(0.002),
    })
    .prefault({}),
  /** Tick, step and minimums per symbol; filled from a recorded exchangeInfo when one is given. */
  marketRules: z.record(z.string(), MarketRules).default({}),
  /** A Binance spot exchangeInfo response (JSON or .json.gz) to take market rules from. */
  exchangeInfoFile: z.string().optional(),
});
export type BacktestConfig = z.output<typeof BacktestConfig>;
export type BacktestConfigInput = z.input<typeof BacktestConfig>;

const STRATEGY_KEYS = {
  trend_pullback: 'trendPullback',
  bollinger_breakout: 'breakout',
  mean_reversion: 'meanReversion',
} as const;
export type StrategyName = keyof typeof STRATEGY_KEYS;
export const STRATEGY_NAMES = Object.keys(STRATEGY_KEYS) as StrategyName[];

/** Parses the config whole, listing every problem in one error. */
export function parseBacktestConfig(input: unknown): BacktestConfig {
  const parsed = BacktestConfig.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new BacktestError('bad_config', `invalid backtest config: ${problems.join('; ')}`);
}

/** Keeps one shipped strategy enabled and turns the others off. */
export function onlyStrategy(config: BacktestConfig, name: string): BacktestConfig {
  if (!(name in STRATEGY_KEYS))
    throw new BacktestError('bad_config', `unknown strategy ${name}; known: ${STRATEGY_NAMES.join(', ')}`);
  const s = config.strategies;
  const strategies = {
    ...s,
    trendPullback: { ...s.trendPullback, enabled: name === 'trend_pullback' },
    breakout: { ...s.breakout, enabled: name === 'bollinger_breakout' },
    meanReversion: { ...s.meanReversion, enabled: name === 'mean_reversion' },
  };
  return { ...config, strategies };
}
