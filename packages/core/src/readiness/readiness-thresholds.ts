import { z } from 'zod';

/** The go-live gate's limits; parse `{}` for the defaults. */
export const ReadinessThresholds = z.object({
  /** Paper trading must have run at least this many days. */
  minPaperDays: z.number().nonnegative().default(30),
  minClosedTrades: z.number().int().nonnegative().default(30),
  /** Sharpe must be above this to pass… */
  minSharpe: z.number().default(0.5),
  /** …and this is what we aim for; shown beside the figure, never gating. */
  targetSharpe: z.number().default(1),
  /** Max drawdown, in percent of peak equity, must stay below this. */
  maxDrawdownPct: z.number().positive().max(100).default(15),
  /** Expectancy per trade, in the quote asset, must be above this. */
  minExpectancy: z.number().default(0),
  /** Share of sampled open positions that had a protective stop, in percent. */
  minStopCoveragePct: z.number().min(0).max(100).default(100),
  /** Share of healthy service samples, in percent. */
  minUptimePct: z.number().min(0).max(100).default(99),
});
export type ReadinessThresholds = z.output<typeof ReadinessThresholds>;

export const DEFAULT_READINESS_THRESHOLDS: ReadinessThresholds = ReadinessThresholds.parse({});

/** A threshold set to something less demanding than its default, with both values. */
export interface LooserThreshold {
  name: keyof ReadinessThresholds;
  value: number;
  default: number;
}

/** Thresholds a higher value makes easier to pass; every other gating one is easier lower. */
const HIGHER_IS_LOOSER: ReadonlySet<keyof ReadinessThresholds> = new Set(['maxDrawdownPct']);
/** Shown beside a figure, never gating. */
const NOT_GATING: ReadonlySet<keyof ReadinessThresholds> = new Set(['targetSharpe']);

/** Every gating threshold of `thresholds` less demanding than in `base` (the defaults); empty when none. */
export function looserThresholds(
  thresholds: ReadinessThresholds,
  base: ReadinessThresholds = DEFAULT_READINESS_THRESHOLDS,
): LooserThreshold[] {
  const looser: LooserThreshold[] = [];
  for (const name of Object.keys(base) as Array<keyof ReadinessThresholds>) {
    if (NOT_GATING.has(name)) continue;
    const value = thresholds[name];
    const loosened = HIGHER_IS_LOOSER.has(name) ? value > base[name] : value < base[name];
    if (loosened) looser.push({ name, value, default: base[name] });
  }
  return looser;
}
