import type { AnalystVerdict, FeatureVector, ReviewVerdict, SignalCandidate } from '@ballast/contracts';
import { rewardRisk as coreRewardRisk, meetsRewardRisk } from '@ballast/core';

/** The reward-to-risk floor when none is configured: SIGNALS_MIN_REWARD_RISK's default. */
export const MIN_REWARD_RISK = 1.5;

/**
 * The offline risk reviewer, deterministic. Rejects when: the candidate carries a veto; reward/risk
 * (nearest target vs stop, signed for the side) is below `minRewardRisk`, the floor the veto tier applies (SIGNALS_MIN_REWARD_RISK),
 * so the two never disagree; the analyst's trend opposes the side; volatility is extreme. Otherwise
 * approves at the volatility regime's position scale, halved when the analyst sees no trend.
 */
export function rulesReviewer(
  candidate: SignalCandidate,
  features: FeatureVector,
  analyst: AnalystVerdict,
  minRewardRisk: number,
): ReviewVerdict {
  const reasons = rejectionReasons(candidate, features, analyst, minRewardRisk);
  if (reasons.length > 0) return { approve: false, sizeMultiplier: 0, reasons };
  const scale = features.volatility.positionScale * (analyst.trend === 'sideways' ? 0.5 : 1);
  return {
    approve: true,
    sizeMultiplier: Math.min(1, Math.max(0, scale)),
    reasons: [
      `rules: approved at ${scale.toFixed(2)} (volatility ${features.volatility.level}, trend ${analyst.trend})`,
    ],
  };
}

function rejectionReasons(
  candidate: SignalCandidate,
  features: FeatureVector,
  analyst: AnalystVerdict,
  minRewardRisk: number,
): string[] {
  const reasons: string[] = [];
  if (candidate.veto) reasons.push(`vetoed: ${candidate.veto.reason}`);
  const rr = rewardRisk(candidate);
  if (!meetsRewardRisk(rr, minRewardRisk))
    reasons.push(`reward/risk ${rr.toFixed(2)} below ${minRewardRisk}`);
  const opposed = candidate.side === 'long' ? analyst.trend === 'down' : analyst.trend === 'up';
  if (opposed) reasons.push(`analyst trend ${analyst.trend} opposes a ${candidate.side}`);
  if (features.volatility.level === 'extreme') reasons.push('extreme volatility');
  return reasons;
}

/**
 * Reward to the nearest take-profit over the distance to the stop: core's rewardRisk, the veto tier's,
 * signed for the side (a target on the wrong side of entry is a negative ratio, never a reward); 0 with
 * no stop distance or no target, which no floor passes.
 */
export function rewardRisk(candidate: SignalCandidate): number {
  const { side, entry, stop, takeProfits } = candidate;
  return entry === stop || takeProfits.length === 0 ? 0 : coreRewardRisk(side, entry, stop, takeProfits);
}
