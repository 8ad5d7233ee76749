import type { MarketRegime } from '@ballast/contracts';
import type { RiskLimits } from './risk-limits';

/** How much of the full risk-based size a market's conditions allow, in [0, 1]. */
export function regimeScale(
  regime: MarketRegime,
  volatilityPositionScale: number,
  sizeMultiplier: number,
  limits: RiskLimits,
): number {
  return limits.regimeScale[regime] * volatilityPositionScale * sizeMultiplier;
}

/**
 * The regime the limits size smallest (volatile by default; ADR 29): what a candidate that names none is
 * sized as, unless the operator chose a default. Not knowing the market is no reason to risk the most.
 */
export function cautiousRegime(limits: RiskLimits): MarketRegime {
  const scales = limits.regimeScale;
  const regimes = ['volatile', 'choppy', 'trending'] as const;
  return regimes.reduce((smallest, r) => (scales[r] < scales[smallest] ? r : smallest));
}
