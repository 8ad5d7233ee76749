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
