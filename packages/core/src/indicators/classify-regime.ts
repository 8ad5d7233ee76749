import type { MarketRegime } from '@ballast/contracts';

export interface RegimeInputs {
  /** ADX(14), 0..100. */
  adx: number;
  /** Bollinger bandwidth over its own recent mean (BollingerValue.bandwidthRatio). */
  bandwidthRatio: number;
}

export interface RegimeThresholds {
  /** ADX at or above this is a trend: 25 is Wilder's own "strong trend" line. */
  trendingAdx: number;
  /** Bands at least this much wider than their recent mean mean the market is volatile without a trend. */
  volatileBandwidthRatio: number;
}

export const DEFAULT_REGIME_THRESHOLDS: RegimeThresholds = {
  trendingAdx: 25,
  volatileBandwidthRatio: 1.5,
};

/**
 * trending when ADX ≥ 25; otherwise volatile when the Bollinger bandwidth is ≥ 1.5× its recent mean;
 * otherwise choppy. A strong trend wins over wide bands because a breakout widens the bands while it is
 * directional; wide bands with no direction are what a trend-following strategy should stay out of.
 */
export function classifyRegime(
  inputs: RegimeInputs,
  thresholds: RegimeThresholds = DEFAULT_REGIME_THRESHOLDS,
): MarketRegime {
  if (inputs.adx >= thresholds.trendingAdx) return 'trending';
  if (inputs.bandwidthRatio >= thresholds.volatileBandwidthRatio) return 'volatile';
  return 'choppy';
}
