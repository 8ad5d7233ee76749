import { defaultStrategies, SignalEngine, StrategiesConfig, VetoConfig } from '@ballast/core';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDED_FILE, recordedBtcVectors } from './testing/recorded-vectors';
import { type SignalsFixture, startSignalsFixture } from './testing/signals-fixture';

const { vectors } = recordedBtcVectors();
// Take-profits at 3 ATR against a 2.5 ATR stop: reward:risk 1.2 in normal volatility, below the rules
// reviewer's old hard-coded 1.5 and above the configured floor of 1.
const STRATEGIES = { levels: { takeProfitAtr: [3] } };
const MIN_REWARD_RISK = 1;

const rewardRisk = (c: { entry: number; stop: number; takeProfits: number[] }) =>
  Math.abs((c.takeProfits[0] ?? c.entry) - c.entry) / Math.abs(c.entry - c.stop);

describe(`signals: SIGNALS_MIN_REWARD_RISK is the rules reviewer's floor too (${RECORDED_FILE})`, () => {
  let fixture: SignalsFixture;

  beforeAll(async () => {
    fixture = await startSignalsFixture({
      name: 'signals_reward_risk',
      env: {
        SIGNALS_MIN_REWARD_RISK: String(MIN_REWARD_RISK),
        SIGNALS_STRATEGIES: JSON.stringify(STRATEGIES),
      },
    });
  });

  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
  });

  it('approves a candidate the vetoes passed at reward:risk 1.2 with the floor at 1, rather than reject it below 1.5', async () => {
    const engine = new SignalEngine({
      strategies: defaultStrategies(StrategiesConfig.parse(STRATEGIES)),
      vetoes: VetoConfig.parse({ minRewardRisk: MIN_REWARD_RISK }),
    });
    const passed = vectors.flatMap((v) => engine.onFeatures(v)).filter((c) => c.veto === null);
    expect(passed.some((c) => rewardRisk(c) < 1.5)).toBe(true);
    await fixture.publishVectors(vectors);
    await waitFor(() => fixture.decisions.length >= passed.length, 'every decision', { timeoutMs: 20_000 });
    const reasons = fixture.decisions.flatMap((m) => m.payload.reviewer?.reasons ?? []);
    expect(reasons.filter((r) => r.startsWith('reward/risk'))).toEqual([]);
    const approvedBelowOld = fixture.decisions.filter(
      (m) => m.payload.approved && rewardRisk(m.payload.candidate) < 1.5,
    );
    expect(approvedBelowOld.length).toBeGreaterThan(0);
  });
});
