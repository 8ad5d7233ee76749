import { join } from 'node:path';
import { sharedDataDir } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBacktestConfig } from './backtest-config';
import { checkConfirmTimeframes } from './confirmable-timeframes';
import { runBacktest } from './run-backtest';

const check = (confirmTimeframes: string[], timeframe: '1h' | '4h') =>
  checkConfirmTimeframes(parseBacktestConfig({ confirmTimeframes }), timeframe);

describe('checkConfirmTimeframes', () => {
  it('refuses, by name, a confirming timeframe the features do not compute for the run: no veto would run', () => {
    expect(() => check(['1h'], '1h')).toThrow(
      'confirmTimeframes: 1h is not a higher timeframe of 1h (4h, 1d)',
    );
    expect(() => check(['4h', '1d'], '4h')).toThrow(
      'confirmTimeframes: 4h is not a higher timeframe of 4h (1d)',
    );
    expect(() => check(['15m'], '1h')).toThrow('confirmTimeframes: 15m is not a higher timeframe of 1h');
  });

  it('is checked by runBacktest before anything runs', async () => {
    const files = [join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz')];
    await expect(
      runBacktest({ files, timeframe: '1h', seed: 1, config: { confirmTimeframes: ['1h'] } }),
    ).rejects.toThrow('confirmTimeframes: 1h is not a higher timeframe of 1h (4h, 1d)');
  });

  it('takes the ones it computes, and no list at all (the primary)', () => {
    expect(() => check(['4h', '1d'], '1h')).not.toThrow();
    expect(() => check(['1d'], '4h')).not.toThrow();
    expect(() => checkConfirmTimeframes(parseBacktestConfig({}), '1h')).not.toThrow();
  });
});
