import { describe, expect, it } from 'vitest';
import { StrategiesConfig } from './strategy-config';
import { VetoConfig } from './veto-config';

/** Each problem as `path: message`, or null when the input parses. */
function problems(input: unknown): string[] | null {
  const parsed = StrategiesConfig.safeParse(input);
  return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('StrategiesConfig', () => {
  it('parses {} to the defaults', () => {
    expect(StrategiesConfig.parse({}).levels).toEqual({ stopAtr: 2.5, takeProfitAtr: [5] });
  });

  it('refuses a misspelt strategy or setting by name instead of running the defaults', () => {
    expect(problems({ trendPulback: { enabled: false } })).toEqual([': Unrecognized key: "trendPulback"']);
    expect(problems({ levels: { stopATR: 1.5 } })).toEqual(['levels: Unrecognized key: "stopATR"']);
    expect(problems({ meanReversion: { rsiOversld: 20 } })).toEqual([
      'meanReversion: Unrecognized key: "rsiOversld"',
    ]);
    expect(problems({ breakout: { squeezeLookbak: 3 } })).toEqual([
      'breakout: Unrecognized key: "squeezeLookbak"',
    ]);
  });

  it('refuses an RSI band trend_pullback could never enter', () => {
    expect(problems({ trendPullback: { rsiMin: 70, rsiMax: 60 } })).toEqual([
      'trendPullback.rsiMax: rsiMin must be below rsiMax',
    ]);
    expect(problems({ trendPullback: { rsiMin: 60, rsiMax: 70 } })).toBeNull();
  });

  it('refuses mean_reversion bands that overlap', () => {
    expect(problems({ meanReversion: { rsiOversold: 70.5, rsiOverbought: 70 } })).toEqual([
      'meanReversion.rsiOverbought: rsiOversold must not be above rsiOverbought',
    ]);
    expect(problems({ meanReversion: { rsiOversold: 80 } })).toEqual([
      'meanReversion.rsiOverbought: rsiOversold must not be above rsiOverbought',
    ]);
  });

  it('accepts equal mean_reversion bands (one threshold, crossed one way per side), as bench/latency runs them', () => {
    expect(problems({ meanReversion: { rsiOversold: 50, rsiOverbought: 50 } })).toBeNull();
  });

  it('refuses take-profits out of order: the veto and the rules reviewer must judge the same first target', () => {
    expect(problems({ levels: { takeProfitAtr: [8, 2] } })).toEqual([
      'levels.takeProfitAtr: take-profits must be in ascending order, nearest first',
    ]);
    expect(problems({ levels: { takeProfitAtr: [3, 3] } })).not.toBeNull();
    expect(problems({ levels: { takeProfitAtr: [2, 8] } })).toBeNull();
  });
});

describe('VetoConfig', () => {
  it('refuses a misspelt setting by name', () => {
    const parsed = VetoConfig.safeParse({ minRewardRisk: 2, excludedSymbol: ['BTC-USDT'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('Unrecognized key: "excludedSymbol"');
  });
});
