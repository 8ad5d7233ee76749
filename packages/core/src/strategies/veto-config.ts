import { SymbolId, Timeframe } from '@ballast/contracts';
import { z } from 'zod';

export const VetoConfig = z
  .object({
    minRewardRisk: z.number().positive().default(1.5),
    excludedSymbols: z.array(SymbolId).default([]),
    /** An hour's expectancy is trusted only over at least this many closed trades. */
    minHourTrades: z.number().int().positive().default(20),
    /**
     * Higher timeframes whose trend must not oppose an entry, e.g. `['1d']` or `['4h', '1d']`; unset: the
     * series' primary one (4h for 1h). A named timeframe still warming does not object.
     */
    confirmingTimeframes: z.array(Timeframe).min(1).optional(),
  })
  // A misspelt setting is refused by name, not dropped for its default.
  .strict();
export type VetoConfig = z.infer<typeof VetoConfig>;
