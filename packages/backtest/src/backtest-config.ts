import { SymbolId, Timeframe } from '@ballast/contracts';
import { DEFAULT_RISK_LIMITS, MarketRules, RiskLimits, StrategiesConfig } from '@ballast/core';
import { DEFAULT_STOP_LIMIT_OFFSET_BPS } from '@ballast/service-kit';
import { z } from 'zod';
import { BacktestError } from './backtest-error';

const STRATEGY_KEYS = {
  trend_pullback: 'trendPullback',
  bollinger_breakout: 'breakout',
  mean_reversion: 'meanReversion',
} as const;
export type StrategyName = keyof typeof STRATEGY_KEYS;
export const STRATEGY_NAMES = Object.keys(STRATEGY_KEYS) as StrategyName[];

/** One row of strategy_hour_stats: a strategy's closed trades entered in one UTC hour. */
const HourStatsRow = z
  .object({
    // A shipped strategy's name as decisions carry it (trend_pullback), never its config key (trendPullback):
    // a row naming none matches no candidate and the hour veto would silently do nothing.
    strategy: z.string().refine((name) => name in STRATEGY_KEYS, {
      message: `not a shipped strategy (${STRATEGY_NAMES.join(', ')})`,
    }),
    hourUtc: z.number().int().min(0).max(23),
    trades: z.number().int().nonnegative(),
    expectancy: z.number().finite(),
  })
  .strict();

/** Who decides the candidates that pass the vetoes in a run (`agents`; see the config's field). */
export const AgentsMode = z.enum(['none', 'rules', 'recorded']);
export type AgentsMode = z.infer<typeof AgentsMode>;

const hourKey = (row: z.infer<typeof HourStatsRow>) => `${row.strategy}|${row.hourUtc}`;

/**
 * Everything a backtest can be told besides the data. Each field maps onto the configuration of the
 * service that owns it, so a backtest runs the settings a live deployment would run. Strict: a misspelt
 * field (`confirmTimeframe`) is refused by name rather than dropped, which would run the default.
 */
export const BacktestConfig = z
  .object({
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
    /** As the orders service's PAPER_FEES_IN: `received` takes a buy's fee from the base received (Binance spot). */
    feesIn: z.enum(['quote', 'received']).default('received'),
    /** Orders service guard: a market order that would walk further than this is rejected. */
    maxSlippageBps: z.number().min(0).default(50),
    /** Signals service: StrategiesConfig (omitted fields take their defaults). */
    strategies: StrategiesConfig.prefault({}),
    minRewardRisk: z.number().positive().default(1.5),
    minHourTrades: z.number().int().positive().default(20),
    /**
     * Signals service: SIGNALS_CONFIRM_TIMEFRAMES; unset, the series' primary higher timeframe (4h for 1h).
     * Replaces it, does not add to it: `['1d']` drops the 4h check, `['4h', '1d']` keeps both.
     */
    confirmTimeframes: z.array(Timeframe).min(1).optional(),
    /** Signals service: SIGNALS_EXCLUDED_SYMBOLS. */
    excludedSymbols: z.array(SymbolId).default([]),
    /**
     * The hour expectancy table (strategy_hour_stats) the run starts from, e.g. live's as
     * `ballast backtest --hour-stats-from-db` reads it. A run's own database starts empty and a run does
     * not learn from its trades, so without rows here the hour veto never objects, where live it would.
     * The rows are one moment's table: over a window whose trades they were counted from, the veto knows
     * those trades' outcomes in advance, so such a run previews today's filter, not what live had then.
     */
    hourStats: z
      .array(HourStatsRow)
      .refine((rows) => new Set(rows.map(hourKey)).size === rows.length, {
        message: 'one row per strategy and hour',
      })
      .default([]),
    /**
     * `rules`: the offline rules analyst and reviewer from packages/agents decide; `none`: no analyst or
     * reviewer, every candidate that passed the vetoes is approved under the volatility guards (extreme
     * refused, size capped at the regime's positionScale) that every live decision passes; `recorded`:
     * each candidate gets the decision the signals service recorded for it (signal_decisions of the
     * database the run is pointed at, ADR 17), one with none is rejected (`no_recorded_verdict`).
     */
    agents: AgentsMode.default('rules'),
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
        /**
         * As STOP_LIMIT_OFFSET_BPS: a stop is a stop-limit with its limit this far beyond the stop, and a
         * print past the limit leaves it unfilled (the stops service then closes at market).
         */
        limitOffsetBps: z.number().min(0).max(1000).default(DEFAULT_STOP_LIMIT_OFFSET_BPS),
      })
      .strict()
      .prefault({}),
    /** Tick, step and minimums per symbol; filled from a recorded exchangeInfo when one is given. */
    marketRules: z.record(z.string(), MarketRules).default({}),
    /** A Binance spot exchangeInfo response (JSON or .json.gz) to take market rules from. */
    exchangeInfoFile: z.string().optional(),
  })
  .strict()
  // Signals' floor under risk's would pass candidates risk then denies (reward_risk): a setting in name only.
  .refine((c) => c.minRewardRisk >= (c.riskLimits?.minRewardRisk ?? DEFAULT_RISK_LIMITS.minRewardRisk), {
    message:
      "below riskLimits.minRewardRisk (risk's own floor, default 1.5), which would deny what signals passes: lower both",
    path: ['minRewardRisk'],
  });
export type BacktestConfig = z.output<typeof BacktestConfig>;
export type BacktestConfigInput = z.input<typeof BacktestConfig>;

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
