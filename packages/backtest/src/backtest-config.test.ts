import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from './backtest-config';

describe('parseBacktestConfig', () => {
  it('refuses a misspelt field by name rather than run the default', () => {
    expect(() => parseBacktestConfig({ confirmTimeframe: ['1d'] })).toThrow(
      /\(root\): Unrecognized key: "confirmTimeframe"/,
    );
    expect(() => parseBacktestConfig({ stops: { trailmode: 'off' } })).toThrow(
      /stops: Unrecognized key: "trailmode"/,
    );
    expect(() => parseBacktestConfig({ strategies: { levls: {} } })).toThrow(
      /strategies: Unrecognized key: "levls"/,
    );
  });

  it('takes the signals settings live is given', () => {
    const config = parseBacktestConfig({ confirmTimeframes: ['4h', '1d'], excludedSymbols: ['ETH-USDT'] });
    expect([config.confirmTimeframes, config.excludedSymbols, config.hourStats]).toEqual([
      ['4h', '1d'],
      ['ETH-USDT'],
      [],
    ]);
  });

  it("refuses a minRewardRisk under risk's own floor, which would deny every candidate between the two", () => {
    expect(() => parseBacktestConfig({ minRewardRisk: 1 })).toThrow(
      "minRewardRisk: below riskLimits.minRewardRisk (risk's own floor, default 1.5)",
    );
    expect(() => parseBacktestConfig({ minRewardRisk: 1, riskLimits: { minRewardRisk: 1.2 } })).toThrow(
      /minRewardRisk: below riskLimits.minRewardRisk/,
    );
    expect(parseBacktestConfig({ minRewardRisk: 1, riskLimits: { minRewardRisk: 1 } }).minRewardRisk).toBe(1);
    expect(parseBacktestConfig({ minRewardRisk: 2 }).minRewardRisk).toBe(2);
  });

  it('refuses hourStats rows naming no shipped strategy (a config key like trendPullback matches no candidate)', () => {
    const row = { hourUtc: 8, trades: 30, expectancy: -1 };
    expect(() => parseBacktestConfig({ hourStats: [{ ...row, strategy: 'trendPullback' }] })).toThrow(
      /hourStats\.0\.strategy: not a shipped strategy \(trend_pullback, bollinger_breakout, mean_reversion\)/,
    );
    expect(
      parseBacktestConfig({ hourStats: [{ ...row, strategy: 'trend_pullback' }] }).hourStats,
    ).toHaveLength(1);
  });
});
