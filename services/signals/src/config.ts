import { SymbolId, Timeframe } from '@ballast/contracts';
import { StrategiesConfig } from '@ballast/core';
import { jsonVariable, timerMsOrZero } from '@ballast/service-kit';
import { z } from 'zod';

const SymbolList = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  )
  .pipe(z.array(SymbolId));

export const signalsConfigSchema = z.object({
  /** Symbols expected each cycle; a cycle is ranked once all reported (empty: rank each vector alone). */
  SIGNALS_UNIVERSE: SymbolList,
  SIGNALS_EXCLUDED_SYMBOLS: SymbolList,
  SIGNALS_MIN_REWARD_RISK: z.coerce.number().positive().default(1.5),
  /** Risk's variable, read here only to warn at start when SIGNALS_MIN_REWARD_RISK is under its floor. */
  RISK_LIMITS_JSON: z.string().optional(),
  SIGNALS_MIN_HOUR_TRADES: z.coerce.number().int().positive().default(20),
  /** StrategiesConfig as JSON, e.g. `{"levels":{"stopAtr":2}}`; omitted fields take their defaults. */
  SIGNALS_STRATEGIES: jsonVariable(StrategiesConfig).prefault('{}'),
  SIGNALS_DURABLE: z.string().min(1).default('signals'),
  /**
   * Higher timeframes whose trend must not oppose an entry, e.g. `1d` or `4h,1d`; unset: 4h for 1h. The list
   * replaces the default, it does not add to it: `1d` alone drops the 4h check (`4h,1d` keeps both).
   */
  SIGNALS_CONFIRM_TIMEFRAMES: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(Timeframe).min(1))
    .optional(),
  /** How long a close waits for risk to record it before the hour table is re-read anyway (0: no wait; default 10 s). */
  SIGNALS_HOUR_STATS_WAIT_MS: z.coerce.number().int().nonnegative().optional(),
  /**
   * A feature vector whose bar closed longer ago than this (on the service's clock) proposes nothing, so
   * a backlog delivered after an outage is not traded at old prices; it still feeds the strategies' history.
   * A cycle put back after a restart and ranked later than this after its bar closed has its candidates
   * vetoed `stale_data`. Default 60 s, risk's default maxSignalAgeMs.
   */
  SIGNALS_MAX_VECTOR_AGE_MS: z.coerce.number().int().positive().optional(),
  /**
   * A vector that waited longer than this in signals' own queue (received − published) proposes nothing:
   * a backlog of our own outage. It must cover the decisions queued ahead of it in a bar; default the
   * worst one (AGENT_TIMEOUT_MS × AGENT_MAX_ATTEMPTS plus the backoffs between attempts, at most 8 s each,
   * × analyst and reviewer) per universe symbol (at least 1).
   */
  SIGNALS_MAX_QUEUE_MS: z.coerce.number().int().positive().optional(),
  /** How long after its bar closed a cycle waits for the universe's missing symbols (default 30 s). */
  SIGNALS_CYCLE_GRACE_MS: z.coerce.number().int().nonnegative().optional(),
  /** How often cycles past their deadline are looked for between vectors (0: only when a vector comes; default 5 s). */
  SIGNALS_CYCLE_CHECK_MS: timerMsOrZero(),
  /** Bars after a vetoed or rejected candidate before hindsight judges it at the close (default 24). */
  SIGNALS_HINDSIGHT_BARS: z.coerce.number().int().positive().optional(),
});
export type SignalsConfig = z.output<typeof signalsConfigSchema>;
