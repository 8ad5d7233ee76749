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

export function checkRewardRisk(
  side: PositionSide,
  entry: number,
  stop: number,
  takeProfits: readonly number[],
  limits: RiskLimits,
): Verdict {
  const ratio = rewardRisk(side, entry, stop, takeProfits);
  if (ratio >= limits.minRewardRisk) return ALLOW;
  return deny(
    'reward_risk',
    limits.minRewardRisk,
    ratio,
    `reward:risk ${ratio.toFixed(2)} to the nearest target is below ${limits.minRewardRisk}`,
  );
}
