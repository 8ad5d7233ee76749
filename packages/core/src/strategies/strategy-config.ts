import { z } from 'zod';

// Every object is strict: a misspelt key (`trendPulback`, `stopATR`) is refused by name rather than
// dropped, which would leave the default the operator meant to change in force without a word.

export const AtrLevelsConfig = z
  .object({
    /** Stop distance in ATRs, before the volatility regime's stop multiplier. */
    stopAtr: z.number().positive().default(2.5),
    /**
     * One take-profit per entry, each in ATRs from entry, nearest first: the veto measures reward:risk
     * to the nearest target and the rules reviewer to the first, so the two must be the same one.
     */
    takeProfitAtr: z
      .array(z.number().positive())
      .min(1)
      .refine((tps) => tps.every((tp, i) => i === 0 || tp > (tps[i - 1] ?? 0)), {
        message: 'take-profits must be in ascending order, nearest first',
      })
      .default([5]),
  })
  .strict();
export type AtrLevelsConfig = z.infer<typeof AtrLevelsConfig>;

export const TrendPullbackConfig = z
  .object({
    enabled: z.boolean().default(true),
    minAdx: z.number().min(0).max(100).default(20),
    rsiMin: z.number().min(0).max(100).default(40),
    rsiMax: z.number().min(0).max(100).default(65),
    /** How close to the EMA21 (in ATRs) a close must come to count as a pullback. */
    pullbackAtr: z.number().nonnegative().default(0.5),
  })
  .strict()
  // An empty RSI band would switch the strategy off without saying so.
  .refine((c) => c.rsiMin < c.rsiMax, { message: 'rsiMin must be below rsiMax', path: ['rsiMax'] });
export type TrendPullbackConfig = z.infer<typeof TrendPullbackConfig>;

export const BreakoutConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** Volume over its 20-bar mean that confirms a break. */
    minVolumeRatio: z.number().positive().default(1.5),
    /** A squeeze within this many previous bars arms the breakout. */
    squeezeLookback: z.number().int().positive().default(5),
  })
  .strict();
export type BreakoutConfig = z.infer<typeof BreakoutConfig>;

export const MeanReversionConfig = z
  .object({
    enabled: z.boolean().default(true),
    rsiOversold: z.number().min(0).max(100).default(30),
    rsiOverbought: z.number().min(0).max(100).default(70),
  })
  .strict()
  // Overlapping bands would fade ordinary RSI readings, both ways at once. Equal bands are one threshold:
  // each side still needs RSI to cross it (from above for long, from below for short), never both on a bar.
  .refine((c) => c.rsiOversold <= c.rsiOverbought, {
    message: 'rsiOversold must not be above rsiOverbought',
    path: ['rsiOverbought'],
  });
export type MeanReversionConfig = z.infer<typeof MeanReversionConfig>;

/** Every strategy's settings; parse `{}` for the defaults. */
export const StrategiesConfig = z
  .object({
    levels: AtrLevelsConfig.prefault({}),
    trendPullback: TrendPullbackConfig.prefault({}),
    breakout: BreakoutConfig.prefault({}),
    meanReversion: MeanReversionConfig.prefault({}),
  })
  .strict();
export type StrategiesConfig = z.infer<typeof StrategiesConfig>;
