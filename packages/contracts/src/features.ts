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

/** A higher timeframe resampled from the series itself: its trend and regime at the last closed bar. */
export const HigherTimeframeTrend = z.object({
  timeframe: Timeframe,
  trend: z.enum(['up', 'down', 'flat']),
  regime: MarketRegime,
});
export type HigherTimeframeTrend = z.infer<typeof HigherTimeframeTrend>;

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
  /** The series' primary higher timeframe (4h for 1h); null while it warms up. */
  higherTimeframe: HigherTimeframeTrend.nullable(),
  /**
   * Every higher timeframe that is warm, shortest first (1h: 4h and 1d), the primary included. Optional:
   * vectors from before it was added have only `higherTimeframe`.
   */
  higherTimeframes: z.array(HigherTimeframeTrend).optional(),
});
export type FeatureVector = z.infer<typeof FeatureVector>;
