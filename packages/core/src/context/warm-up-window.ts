import { TIMEFRAME_MS, type Timeframe } from '@ballast/contracts';
import { FeatureEngine } from './feature-engine';

/**
 * Slots beyond the budget, as a share of it, that a warm-up reaches back: the venue's outages leave fewer
 * candles than slots (Binance's 1h history misses up to 33 hours at a time; 1 % of the 1h budget is 96
 * hours), so features replays the newest `wanted` candles stored in `warmUpReach(wanted)` slots (a backtest
 * loads its history the same way), and a warm-up backfill fetches that reach.
 */
export const WARM_UP_MARGIN = 0.01;

/** Slots to look back in for `wanted` candles: the budget plus the margin for the venue's outages. */
export function warmUpReach(wanted: number): number {
  return wanted + Math.ceil(wanted * WARM_UP_MARGIN);
}

/** The history to fetch before a series' first start: what features replays, plus the margin. */
export interface WarmUpWindow {
  readonly timeframe: Timeframe;
  /** Stored candles features replays for this timeframe (the budget). */
  readonly wanted: number;
  /** First open time to fetch, epoch ms: `wanted` plus the margin before the newest closed bar. */
  readonly since: number;
  /** The newest closed bar's open time, epoch ms (inclusive). */
  readonly until: number;
}

/**
 * The window ending at the newest bar closed by `now`. `wanted` defaults to what the features service
 * replays with its default engine (FeatureEngine.warmUpBars: converged indicators and higher-timeframe
 * context); pass the deployment's override (FEATURES_WARMUP_CANDLES) when it sets one.
 */
export function warmUpWindow(
  timeframe: Timeframe,
  now: number,
  wanted: number = new FeatureEngine().warmUpBars(timeframe),
): WarmUpWindow {
  const step = TIMEFRAME_MS[timeframe];
  const forming = Math.floor(now / step) * step;
  return { timeframe, wanted, since: forming - warmUpReach(wanted) * step, until: forming - step };
}
