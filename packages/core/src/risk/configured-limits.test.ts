import { describe, expect, it } from 'vitest';
import { configuredRiskLimits } from './configured-limits';
import { DEFAULT_RISK_LIMITS } from './risk-limits';

describe('configuredRiskLimits', () => {
  it('is the defaults when RISK_LIMITS_JSON is unset, and its fields over the defaults when set', () => {
    expect(configuredRiskLimits(undefined, 50)).toEqual({ ok: true, limits: DEFAULT_RISK_LIMITS });
    expect(configuredRiskLimits({ dailyLoss: 0.03, stopExitAllowanceBps: 150 }, 150)).toEqual({
      ok: true,
      limits: { ...DEFAULT_RISK_LIMITS, dailyLoss: 0.03, stopExitAllowanceBps: 150 },
    });
  });

  it('refuses a value that is not an object, or a field that is not valid, naming the field', () => {
    expect(configuredRiskLimits([0.02])).toEqual({
      ok: false,
      reason: 'invalid_limits',
      message: 'stored risk limits are not an object',
    });
    const r = configuredRiskLimits({ riskPerTrade: 2 });
    expect(r).toMatchObject({ ok: false, reason: 'invalid_limits' });
    expect(!r.ok && r.message).toMatch(/riskPerTrade/);
  });

  it('refuses a field it does not know, naming it, rather than leaving the default in force', () => {
    // Meant as a 5 % drawdown and a 2 % daily loss: dropped, they left 15 % and 5 % in force.
    const r = configuredRiskLimits({ maxDrawdownPct: 0.05, daily_loss: 0.02 });
    expect(r).toMatchObject({ ok: false, reason: 'invalid_limits' });
    expect(!r.ok && r.message).toMatch(/maxDrawdownPct.*daily_loss/);
    const nested = configuredRiskLimits({
      liquidity: { maxDepthFraction: 0.05, depthBandBp: 20, depthBandBps: 50 },
    });
    expect(!nested.ok && nested.message).toMatch(/depthBandBp\b/);
    const pauses = configuredRiskLimits({ lossStreakPauses: [{ losses: 2, pauseMinutes: 60, pauseMs: 0 }] });
    expect(!pauses.ok && pauses.message).toMatch(/pauseMinutes/);
  });

  it('refuses a risk per trade, daily loss, drawdown or exposure written as a percent, saying how a fraction is written', () => {
    // 1 meant as 1 %: all of equity risked per trade, and halts that never latch before the account is empty.
    for (const [field, example] of [
      ['riskPerTrade', '0.01 is 1 %'],
      ['dailyLoss', '0.05 is 5 %'],
      ['maxDrawdown', '0.15 is 15 %'],
    ] as const) {
      const r = configuredRiskLimits({ [field]: 1 });
      expect(r).toMatchObject({ ok: false, reason: 'invalid_limits' });
      expect(!r.ok && r.message).toContain(field);
      expect(!r.ok && r.message).toContain(`not a percent (${example})`);
    }
    // 50 meant as 50 % exposure: every position could be opened to its own cap.
    const exposure = configuredRiskLimits({ maxExposure: 50 });
    expect(exposure).toMatchObject({ ok: false, reason: 'invalid_limits' });
    expect(!exposure.ok && exposure.message).toContain('maxExposure');
    expect(!exposure.ok && exposure.message).toContain(
      'at most 3: a fraction of equity, not a percent (0.5 is 50 %)',
    );
    expect(
      configuredRiskLimits({ riskPerTrade: 0.1, dailyLoss: 0.5, maxDrawdown: 0.9, maxExposure: 3 }),
    ).toMatchObject({ ok: true });
  });

  it('refuses the default allowance (100) under an offset of 150, naming both; checks nothing without one', () => {
    expect(configuredRiskLimits(undefined, 150)).toEqual({
      ok: false,
      reason: 'invalid_limits',
      message:
        "stopExitAllowanceBps (100) is below STOP_LIMIT_OFFSET_BPS (150, the stops service's stop-limit offset): entries would pass risk that their stop cannot sell; raise stopExitAllowanceBps to at least 150",
    });
    expect(configuredRiskLimits({ stopExitAllowanceBps: 0 })).toMatchObject({ ok: true });
  });
});
