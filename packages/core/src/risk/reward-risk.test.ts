import { describe, expect, it } from 'vitest';
import { VetoConfig } from '../strategies/veto-config';
import { rewardRiskBelowMin, type VetoContext, type VetoInput } from '../strategies/veto-rules';
import { checkRewardRisk, rewardRisk } from './reward-risk';
import { DEFAULT_RISK_LIMITS } from './risk-limits';

// A long at 1.1 stopped at 1.0 (tick 0.0001) whose target is 1.5 stop distances away, at 1.25: the
// decimal ratio is 1.5, the binary one 1.4999999999999978.
const LONG = { side: 'long' as const, entry: 1.1, stop: 1.0, takeProfits: [1.25] };

describe('reward:risk at exactly the minimum', () => {
  it('measures 1.5 up to binary noise', () => {
    expect(rewardRisk(LONG.side, LONG.entry, LONG.stop, LONG.takeProfits)).toBeCloseTo(1.5, 12);
  });

  it('is allowed by risk at its floor of 1.5', () => {
    expect(checkRewardRisk(LONG.side, LONG.entry, LONG.stop, LONG.takeProfits, DEFAULT_RISK_LIMITS)).toEqual({
      ok: true,
    });
  });

  it('is not vetoed by signals at its floor of 1.5', () => {
    const input = { proposal: { ...LONG, strategy: 's', setup: 's', confidence: 50, rationale: '' } };
    const context = { config: VetoConfig.parse({}) };
    expect(rewardRiskBelowMin(input as VetoInput, context as VetoContext)).toBeNull();
  });

  it('still denies a target one tick short of the minimum', () => {
    expect(checkRewardRisk(LONG.side, LONG.entry, LONG.stop, [1.2499], DEFAULT_RISK_LIMITS)).toMatchObject({
      ok: false,
      reason: 'reward_risk',
      limit: 1.5,
    });
  });
});
