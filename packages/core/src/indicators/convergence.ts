/**
 * Weight an exponentially smoothed indicator may still give its seed when a warm-up ends. A restarted
 * engine is seeded differently from one that ran through (or from the backtest's); a residual of 1e-6
 * makes their values agree to about 1e-6 of the seed's error, so no trend or regime flips on a restart.
 */
export const SEED_RESIDUAL = 1e-6;

/**
 * Bars an indicator needs before its value no longer depends on where it started: `seedBars` to be ready,
 * then enough bars for a smoothing factor `alpha` (EMA 2/(n+1), Wilder 1/n) to forget the seed.
 */
export function convergedBars(seedBars: number, alpha: number): number {
  return seedBars + Math.ceil(Math.log(SEED_RESIDUAL) / Math.log(1 - alpha));
}
