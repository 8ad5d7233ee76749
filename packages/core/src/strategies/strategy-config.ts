import { z } from 'zod';

export const AtrLevelsConfig = z.object({
  /** Stop distance in ATRs, before the volatility regime's stop multiplier. */
  stopAtr: z.number().positive().default(2.5),
  /** One take-profit per entry, each in ATRs from entry. */
  takeProfitAtr: z.array(z.number().positive()).min(1).default([5]),
});
export type AtrLevelsConfig = z.infer<typeof AtrLevelsConfig>;

export const TrendPullbackConfig = z.object({
  enabled: z.boolean().default(true),
  minAdx: z.number().min(0).max(100).default(20),
  rsiMin: z.number().min(0).max(100).default(40),
  rsiMax: z.number().min(0).max(100).default(65),
  /** How close to the EMA21 (in ATRs) a close must come to count as a pullback. */
  pullbackAtr: z.number().nonnegative().default(0.5),
});
export type TrendPullbackConfig = z.infer<typeof TrendPullbackConfig>;

export const BreakoutConfig = z.object({
  enabled: z.boolean().default(true),
  /** Volume over its 20-bar mean that confirms a break. */
  minVolumeRatio: z.number().positive().default(1.5),
  /** A squeeze within this many previous bars arms the breakout. */
  squeezeLookback: z.number().int().positive().default(5),
});
export type BreakoutConfig = z.infer<typeof BreakoutConfig>;

export const MeanReversionConfig = z.object({
  enabled: z.boolean().default(true),
  rsiOversold: z.number().min(0).max(100).default(30),
  rsiOverbought: z.number().min(0).max(100).default(70),
});
export type MeanReversionConfig = z.infer<typeof MeanReversionConfig>;

/** Every strategy's settings; parse `{}` for the defaults. */
export const StrategiesConfig = z.object({
  levels: AtrLevelsConfig.prefault({}),
  trendPullback: TrendPullbackConfig.prefault({}),
  breakout: BreakoutConfig.prefault({}),
  meanReversion: MeanReversionConfig.prefault({}),
});
export type StrategiesConfig = z.infer<typeof StrategiesConfig>;
