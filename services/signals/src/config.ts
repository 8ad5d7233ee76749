import { SymbolId, Timeframe } from '@ballast/contracts';
import { StrategiesConfig } from '@ballast/core';
import { jsonVariable } from '@ballast/service-kit';
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
  SIGNALS_MIN_HOUR_TRADES: z.coerce.number().int().positive().default(20),
  /** StrategiesConfig as JSON, e.g. `{"levels":{"stopAtr":2}}`; omitted fields take their defaults. */
  SIGNALS_STRATEGIES: jsonVariable(StrategiesConfig).prefault('{}'),
  SIGNALS_DURABLE: z.string().min(1).default('signals'),
  /** Higher timeframes whose trend must not oppose an entry, e.g. `1d` or `4h,1d`; unset: 4h for 1h. */
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
  /** Bars after a vetoed or rejected candidate before hindsight judges it at the close (default 24). */
  SIGNALS_HINDSIGHT_BARS: z.coerce.number().int().positive().optional(),
});
export type SignalsConfig = z.output<typeof signalsConfigSchema>;
