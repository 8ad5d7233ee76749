import { DEFAULT_RISK_LIMITS } from '@ballast/core';
import { ConfigError } from '@ballast/service-kit';
import { describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { configuredLimits } from './configured-limits';

/** Risk's configuration as runService parses it from these variables. */
const fromEnv = (env: Record<string, string>) => riskConfigSchema.parse(env);

/** The problems the start is refused with. */
function refusal(env: Record<string, string>) {
  try {
    configuredLimits(fromEnv(env));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the start was not refused');
}

describe("risk's configured limits", () => {
  it('refuses a stop exit allowance below the stops service’s STOP_LIMIT_OFFSET_BPS, naming both', () => {
    expect(refusal({ RISK_LIMITS_JSON: '{"stopExitAllowanceBps":30}' })).toEqual([
      {
        variable: 'RISK_LIMITS_JSON',
        reason: 'invalid',
        expected: expect.stringMatching(
          /^stopExitAllowanceBps \(30\) is below STOP_LIMIT_OFFSET_BPS \(50, the stops service's stop-limit offset\)/,
        ),
      },
    ]);
    // The default allowance (100) under a wider offset set for both services.
    expect(refusal({ STOP_LIMIT_OFFSET_BPS: '150' })).toEqual([
      expect.objectContaining({
        expected: expect.stringContaining('stopExitAllowanceBps (100) is below STOP_LIMIT_OFFSET_BPS (150'),
      }),
    ]);
  });

  it('takes an allowance that covers the offset, and limits that are not JSON are refused', () => {
    expect(configuredLimits(fromEnv({}))).toEqual(DEFAULT_RISK_LIMITS);
    const wide = { RISK_LIMITS_JSON: '{"stopExitAllowanceBps":150}', STOP_LIMIT_OFFSET_BPS: '150' };
    expect(configuredLimits(fromEnv(wide)).stopExitAllowanceBps).toBe(150);
    expect(refusal({ RISK_LIMITS_JSON: '{stopExitAllowanceBps: 150' })).toEqual([
      { variable: 'RISK_LIMITS_JSON', reason: 'invalid', expected: 'risk limits as a JSON object' },
    ]);
  });

  it('refuses to start on a limit it does not know (a misspelt one), naming it', () => {
    expect(refusal({ RISK_LIMITS_JSON: '{"maxDrawdown":0.1,"dailyLossLimit":0.02}' })).toEqual([
      {
        variable: 'RISK_LIMITS_JSON',
        reason: 'invalid',
        expected: expect.stringContaining('dailyLossLimit'),
      },
    ]);
  });

  it('checks nothing for a configuration built in code without the offset (the backtest: paper stops)', () => {
    const limits = configuredLimits({ RISK_LIMITS_JSON: '{"stopExitAllowanceBps":0}' });
    expect(limits.stopExitAllowanceBps).toBe(0);
  });
});
