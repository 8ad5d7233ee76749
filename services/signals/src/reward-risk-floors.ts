import { DEFAULT_RISK_LIMITS, RiskLimits } from '@ballast/core';

/**
 * The warning for a signals reward/risk floor under risk's own: risk denies (`reward_risk`) every candidate
 * signals passes between the two, so the lower setting is in force in name only. Risk's floor is read from
 * its RISK_LIMITS_JSON where this process sees it (compose's shared .env), else its default; JSON risk
 * would refuse is left to risk to report.
 */
export function rewardRiskFloorWarning(
  signalsFloor: number,
  riskLimitsJson: string | undefined,
): string | null {
  let riskFloor = DEFAULT_RISK_LIMITS.minRewardRisk;
  if (riskLimitsJson?.trim()) {
    try {
      const parsed = RiskLimits.safeParse(JSON.parse(riskLimitsJson));
      if (parsed.success) riskFloor = parsed.data.minRewardRisk;
    } catch {
      // Not JSON: risk refuses to start with it and says why.
    }
  }
  if (signalsFloor >= riskFloor) return null;
  const source = riskLimitsJson?.trim() ? 'RISK_LIMITS_JSON' : 'its default';
  return `SIGNALS_MIN_REWARD_RISK ${signalsFloor} is below risk's minRewardRisk ${riskFloor} (${source}): risk denies (reward_risk) what signals passes between them; lower both`;
}
