import { z } from 'zod';
import { EpochMs, ExchangeId, Price, SymbolId, Timeframe } from './primitives';

export const MarketRegime = z.enum(['trending', 'choppy', 'volatile']);
export type MarketRegime = z.infer<typeof MarketRegime>;

export const VolatilityRegime = z.object({
  ratio: z.number().nonnegative(),
  level: z.enum(['low', 'normal', 'high', 'extreme']),
  positionScale: z.number().min(0).max(1),
  stopMultiplier: z.number().positive(),
});
export type VolatilityRegime = z.infer<typeof VolatilityRegime>;

export const FeatureVector = z.object({
  exchange: ExchangeId,
  symbol: SymbolId,
  timeframe: Timeframe,
  openTime: EpochMs,
  close: Price,
  /** Indicator name → value; every value finite. */
  indicators: z.record(z.string(), z.number()),
  regime: MarketRegime,
  volatility: VolatilityRegime,
  support: z.array(Price),
  resistance: z.array(Price),
  higherTimeframe: z
    .object({ timeframe: Timeframe, trend: z.enum(['up', 'down', 'flat']), regime: MarketRegime })
    .nullable(),
});
export type FeatureVector = z.infer<typeof FeatureVector>;
