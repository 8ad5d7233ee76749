import { describe, expect, it } from 'vitest';
import { StrategySwitches, strategyEnabled } from '../strategies/strategy-switches';
import { DEFAULT_RISK_LIMITS } from './risk-limits';
import { limitsOver } from './stored-limits';

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

describe('StrategySwitches', () => {
  it('leaves a strategy on unless switched off by name', () => {
    const switches = StrategySwitches.parse({ mean_reversion: false, trend_pullback: true });
    expect(strategyEnabled(switches, 'mean_reversion')).toBe(false);
    expect(strategyEnabled(switches, 'trend_pullback')).toBe(true);
    expect(strategyEnabled(switches, 'bollinger_breakout')).toBe(true);
    expect(StrategySwitches.safeParse({ mean_reversion: 'off' }).success).toBe(false);
  });
});
