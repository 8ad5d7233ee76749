import type { OptimizeResult } from '@ballast/backtest';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatOptimizeTable, parseGrid, parseStopAtr, registerOptimizeCommand } from './optimize';

/** Runs `ballast optimize` on a file that does not exist: a flag refused is refused before any file is read. */
function optimize(extra: string[]): Promise<unknown> {
  const program = new Command().exitOverride();
  registerOptimizeCommand(program);
  const args = [
    'optimize',
    '--data',
    '/nonexistent/BTCUSDT-1h.csv',
    '--from',
    '2021-01-01',
    '--to',
    '2021-03-01',
  ];
  return program.parseAsync([...args, ...extra], { from: 'user' });
}

describe('optimize flags', () => {
  it('reads --stop-atr as a list or a from:to:step range', () => {
    expect(parseStopAtr('1.5:3.5:0.5')).toEqual([1.5, 2, 2.5, 3, 3.5]);
    expect(parseStopAtr('2, 3')).toEqual([2, 3]);
    expect(() => parseStopAtr('2,x')).toThrow('--stop-atr: positive numbers');
  });

  it('refuses an unknown loss-streak variant with the known ones listed', () => {
    expect(parseGrid('2', 'default,strict')).toEqual({ stopAtr: [2], lossStreak: ['default', 'strict'] });
    expect(() => parseGrid('2', 'lax')).toThrow('known: off, default, strict');
  });
});

describe('optimize flags, strictly', () => {
  it('refuses a --seed or --windows that is not a whole number (parseInt ran 2.5 windows as 2, 1.5 as seed 1)', async () => {
    await expect(optimize(['--windows', '2.5'])).rejects.toThrow(
      'invalid --windows "2.5": a positive integer',
    );
    await expect(optimize(['--windows', '4x'])).rejects.toThrow('invalid --windows "4x": a positive integer');
    await expect(optimize(['--seed', '1.5'])).rejects.toThrow('--seed: a whole number, got 1.5');
  });

  it('refuses a date not on the calendar (Date.parse took 2021-02-30 as 2 March)', async () => {
    await expect(optimize(['--to', '2021-02-30'])).rejects.toThrow(
      '--to: not a date or epoch ms: 2021-02-30',
    );
  });

  it('refuses a --stop-atr range reaching 0 or below: a stop at the entry price', () => {
    expect(() => parseStopAtr('0:2:1')).toThrow('--stop-atr: positive numbers');
  });
});

describe('formatOptimizeTable', () => {
  it('prints one line per fold in the given order, then the out-of-sample total', () => {
    const w = (expectancy: number, trades: number) => ({
      trades,
      expectancy,
      net_pnl: expectancy * trades,
      sharpe: null,
      max_drawdown_pct: 1.5,
      win_rate: 0.5,
    });
    const jan = Date.UTC(2021, 0, 1);
    const feb = Date.UTC(2021, 1, 1);
    const mar = Date.UTC(2021, 2, 1);
    const result = {
      folds: [
        {
          fold: 0,
          in_sample: { from: jan, to: feb },
          out_of_sample: { from: feb, to: mar },
          params: { stopAtr: 2.5, lossStreak: 'off' },
          is: w(3, 4),
          oos: w(-1.25, 2),
        },
      ],
      oos_total: { trades: 2, net_pnl: -2.5, expectancy: -1.25 },
    } as unknown as OptimizeResult;
    const lines = formatOptimizeTable(result).split('\n');
    expect(lines[2]).toBe(
      '0     2021-01-01..2021-02-01  2021-02-01..2021-03-01  2.5       off          3.00    4     -1.25    2      -           1.50',
    );
    expect(lines[3]).toBe('out of sample, all folds: 2 trades, net pnl -2.50, expectancy -1.25');
  });
});
