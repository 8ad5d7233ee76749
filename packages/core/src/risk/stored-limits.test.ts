import { describe, expect, it } from 'vitest';
import { StrategySwitches, strategyEnabled } from '../strategies/strategy-switches';
import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { coversStopLimitOffset, limitsOver } from './stored-limits';

describe('limitsOver', () => {
  it('puts the stored fields over the configured limits', () => {
    const base = { ...DEFAULT_RISK_LIMITS, maxOpenPositions: 3 };
    expect(limitsOver(base, { riskPerTrade: 0.02 })).toEqual({
      ok: true,
      limits: { ...base, riskPerTrade: 0.02 },
    });
  });

  it('refuses a stored value that would make the limits invalid, naming the field', () => {
    const r = limitsOver(DEFAULT_RISK_LIMITS, { maxOpenPositions: 0 });
    expect(r).toMatchObject({ ok: false, reason: 'invalid_limits' });
    expect(!r.ok && r.message).toMatch(/maxOpenPositions/);
    expect(limitsOver(DEFAULT_RISK_LIMITS, 'max 3')).toMatchObject({ ok: false, reason: 'invalid_limits' });
    expect(limitsOver(DEFAULT_RISK_LIMITS, [1])).toMatchObject({ ok: false, reason: 'invalid_limits' });
  });
});

describe("the stop exit allowance covers the stops service's stop-limit offset", () => {
  it('refuses limits whose allowance is below the offset, naming both settings', () => {
    const r = limitsOver(DEFAULT_RISK_LIMITS, { stopExitAllowanceBps: 30 }, 50);
    expect(r).toEqual({
      ok: false,
      reason: 'invalid_limits',
      message:
        "stopExitAllowanceBps (30) is below STOP_LIMIT_OFFSET_BPS (50, the stops service's stop-limit offset): entries would pass risk that their stop cannot sell; raise stopExitAllowanceBps to at least 50",
    });
    expect(coversStopLimitOffset(DEFAULT_RISK_LIMITS, 150)).toMatchObject({ ok: false });
  });

  it('accepts an allowance at or above the offset, and checks nothing without one', () => {
    expect(limitsOver(DEFAULT_RISK_LIMITS, { stopExitAllowanceBps: 50 }, 50)).toMatchObject({ ok: true });
    expect(coversStopLimitOffset(DEFAULT_RISK_LIMITS, 100)).toEqual({
      ok: true,
      limits: DEFAULT_RISK_LIMITS,
    });
    expect(limitsOver(DEFAULT_RISK_LIMITS, { stopExitAllowanceBps: 0 })).toMatchObject({ ok: true });
  });
});

describe('StrategySwitches', () => {
  it('leaves a strategy on unless switched off by name', () => {
    const switches = StrategySwitches.parse({ mean_reversion: false, trend_pullback: true });
    expect(strategyEnabled(switches, 'mean_reversion')).toBe(false);
    expect(strategyEnabled(switches, 'trend_pullback')).toBe(true);
    expect(strategyEnabled(switches, 'bollinger_breakout')).toBe(true);
    expect(StrategySwitches.safeParse({ mean_reversion: 'off' }).success).toBe(false);
  });
});
