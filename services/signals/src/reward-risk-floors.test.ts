import { describe, expect, it } from 'vitest';
import { rewardRiskFloorWarning } from './reward-risk-floors';

describe('rewardRiskFloorWarning', () => {
  it("warns when signals' floor is under risk's: risk would deny what signals passes", () => {
    expect(rewardRiskFloorWarning(1, undefined)).toBe(
      "SIGNALS_MIN_REWARD_RISK 1 is below risk's minRewardRisk 1.5 (its default): risk denies (reward_risk) what signals passes between them; lower both",
    );
    expect(rewardRiskFloorWarning(1, '{"minRewardRisk":1.2}')).toMatch(
      /minRewardRisk 1.2 \(RISK_LIMITS_JSON\)/,
    );
  });

  it('is quiet when risk was lowered too, or signals is the stricter', () => {
    expect(rewardRiskFloorWarning(1, '{"minRewardRisk":1}')).toBeNull();
    expect(rewardRiskFloorWarning(2, undefined)).toBeNull();
    expect(rewardRiskFloorWarning(1.5, 'not json')).toBeNull();
  });
});
