import { SymbolId } from '@ballast/contracts';
import { z } from 'zod';

export const VetoConfig = z.object({
  minRewardRisk: z.number().positive().default(1.5),
  excludedSymbols: z.array(SymbolId).default([]),
  /** An hour's expectancy is trusted only over at least this many closed trades. */
  minHourTrades: z.number().int().positive().default(20),
});
export type VetoConfig = z.infer<typeof VetoConfig>;
