import type { PositionSide } from '@ballast/contracts';
import type { RiskLimits } from './risk-limits';
import { ALLOW, deny, type Verdict } from './verdict';

/**
 * Reward to the NEAREST take-profit over the distance to the stop. The nearest target is the
 * one certain to be used, so a ladder of partial exits is judged by its weakest step.
 */
export function rewardRisk(
  side: PositionSide,
  entry: number,
  stop: number,
  takeProfits: readonly number[],
): number {
  const risk = Math.abs(entry - stop);
  const rewards = takeProfits.map((tp) => (side === 'long' ? tp - entry : entry - tp));
  return Math.min(...rewards) / risk;
}

/**
 * Relative slack for binary noise in the ratio: prices are decimals on a tick grid, but their
 * differences are binary, so a take-profit placed at exactly the minimum multiple of the stop distance
 * (entry 1.1, stop 1.0, target 1.25) measures 1.4999999999999978 and would be refused at 1.5.
 */
const RATIO_NOISE = 1e-9;

/** Whether `ratio` (rewardRisk) reaches `min`, a ratio at the minimum up to binary noise included. */
export function meetsRewardRisk(ratio: number, min: number): boolean {
  return ratio >= min * (1 - RATIO_NOISE);
}

export function checkRewardRisk(
  side: PositionSide,
  entry: number,
  stop: number,
  takeProfits: readonly number[],
  limits: RiskLimits,
): Verdict {
  const ratio = rewardRisk(side, entry, stop, takeProfits);
  if (meetsRewardRisk(ratio, limits.minRewardRisk)) return ALLOW;
  return deny(
    'reward_risk',
    limits.minRewardRisk,
    ratio,
    `reward:risk ${ratio.toFixed(2)} to the nearest target is below ${limits.minRewardRisk}`,
  );
}
