import { ConfigError, readConfig } from '@ballast/service-kit';
import { describe, expect, it } from 'vitest';
import { signalsConfigSchema } from './config';

describe('signals configuration', () => {
  it('reads SIGNALS_STRATEGIES as JSON over the defaults, and the defaults when unset', () => {
    const given = readConfig(signalsConfigSchema, {
      SIGNALS_STRATEGIES: '{"levels":{"stopAtr":2.5}}',
    }).config;
    const unset = readConfig(signalsConfigSchema, {}).config;
    expect(given.SIGNALS_STRATEGIES.levels.stopAtr).toBe(2.5);
    expect({ ...given.SIGNALS_STRATEGIES, levels: unset.SIGNALS_STRATEGIES.levels }).toEqual(
      unset.SIGNALS_STRATEGIES,
    );
  });

  it('names SIGNALS_STRATEGIES when its JSON is bad or does not fit', () => {
    const problems = (text: string) => {
      try {
        readConfig(signalsConfigSchema, { SIGNALS_STRATEGIES: text });
      } catch (err) {
        return (err as ConfigError).message;
      }
      throw new Error(`${text} was accepted`);
    };
    expect(problems('{levels:')).toMatch(/SIGNALS_STRATEGIES: invalid \(not valid JSON\)/);
    expect(problems('{"levels":{"stopAtr":-1}}')).toMatch(/SIGNALS_STRATEGIES\.levels\.stopAtr/);
    expect(() => readConfig(signalsConfigSchema, { SIGNALS_STRATEGIES: '[' })).toThrow(ConfigError);
  });

  it('refuses a misspelt key in SIGNALS_STRATEGIES by name (the defaults would trade instead)', () => {
    const refused = (text: string) => () => readConfig(signalsConfigSchema, { SIGNALS_STRATEGIES: text });
    expect(refused('{"levls":{}}')).toThrow(/SIGNALS_STRATEGIES.*Unrecognized key: "levls"/);
    expect(refused('{"trendPulback":{"enabled":false}}')).toThrow(/Unrecognized key: "trendPulback"/);
    expect(refused('{"levels":{"stopATR":1.5}}')).toThrow(/SIGNALS_STRATEGIES\.levels.*"stopATR"/);
    expect(refused('{"trendPullback":{"rsiMin":70,"rsiMax":60}}')).toThrow(/rsiMin must be below rsiMax/);
  });
});
