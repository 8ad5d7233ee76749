import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataFile, sharedDataDir } from '@ballast/testkit';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_COLUMNS, inferSeriesFromFileName, registerFeaturesCommand, writeFeatures } from './features';

// TA-Lib reference through the untyped `talib` addon, a devDependency of @ballast/core: required from
// there (plain arrays only: it returns garbage for Float64Array).
interface Talib {
  execute(request: Record<string, string | number | number[]>): {
    begIndex: number;
    result: Record<string, number[]>;
  };
}
const talib = createRequire(new URL('../../../core/package.json', import.meta.url))('talib') as Talib;

const dir = mkdtempSync(join(tmpdir(), 'ballast-features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ballast features', () => {
  // Reads binance-spot-ohlcv/BTCUSDT-1h.csv.gz through the real command line parser.
  const data = join(sharedDataDir(), 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz');
  const out = join(dir, 'btc-features.csv');

  // Parsing 45k rows through the schema and writing them takes seconds; on a loaded 2-core machine, more.
  it('writes one row per candle with the documented header', { timeout: 120_000 }, async () => {
    const program = new Command().exitOverride();
    registerFeaturesCommand(program);
    await program.parseAsync(['features', '--data', data, '--out', out], { from: 'user' });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'open_time,ema_9,ema_21,ema_50,ema_200,sma_20,rsi_14,macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower,atr_14,adx_14,plus_di_14,minus_di_14,cmf_20,obv,volume_ratio,regime',
    );
    expect(lines).toHaveLength(1 + 45_024);
    expect(lines[1]).toBe(`1502942400000,${',,,,,,,,,,,,,,,,,47.181009,,'}`);
    expect(lines.slice(1).every((l) => l.split(',').length === 1 + FEATURE_COLUMNS.length)).toBe(true);
    expect(
      lines
        .at(-1)!
        .split(',')
        .every((cell) => cell !== ''),
    ).toBe(true);
  });

  it('writes values equal to TA-Lib on the same candles', { timeout: 60_000 }, () => {
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const column = (name: string) => rows.map((r) => r[1 + FEATURE_COLUMNS.indexOf(name as never)]!);
    const text = readDataFile('binance-spot-ohlcv/BTCUSDT-1h.csv.gz').trimEnd().split('\n').slice(1);
    const cells = text.map((l) => l.split(',').map(Number));
    const prices = {
      high: cells.map((c) => c[2]!),
      low: cells.map((c) => c[3]!),
      close: cells.map((c) => c[4]!),
    };
    const talibSeries = (name: string, output: string, options: Record<string, number>) => {
      const r = talib.execute({
        name,
        startIdx: 0,
        endIdx: cells.length - 1,
        inReal: prices.close,
        ...prices,
        ...options,
      });
      return (i: number) => r.result[output]![i - r.begIndex]!;
    };
    const checks = [
      { column: 'ema_200', at: talibSeries('EMA', 'outReal', { optInTimePeriod: 200 }), first: 199 },
      { column: 'rsi_14', at: talibSeries('RSI', 'outReal', { optInTimePeriod: 14 }), first: 14 },
      { column: 'adx_14', at: talibSeries('ADX', 'outReal', { optInTimePeriod: 14 }), first: 27 },
      {
        column: 'macd_signal',
        at: talibSeries('MACD', 'outMACDSignal', {
          optInFastPeriod: 12,
          optInSlowPeriod: 26,
          optInSignalPeriod: 9,
        }),
        first: 33,
      },
      {
        column: 'bb_lower',
        at: talibSeries('BBANDS', 'outRealLowerBand', {
          optInTimePeriod: 20,
          optInNbDevUp: 2,
          optInNbDevDn: 2,
          optInMAType: 0,
        }),
        first: 19,
      },
    ];
    for (const check of checks) {
      const values = column(check.column);
      expect(values[check.first - 1]).toBe('');
      for (const i of [check.first, 1_000, 20_000, 45_023]) {
        const ours = Number(values[i]);
        expect(Math.abs(ours - check.at(i)) / Math.abs(check.at(i))).toBeLessThanOrEqual(1e-9);
      }
    }
    expect(new Set(column('regime').slice(27))).toEqual(new Set(['trending', 'choppy', 'volatile']));
  });

  it('skips bad rows, reports them with their line numbers, and writes the rest', async () => {
    // Real rows from binance-spot-ohlcv/BTCUSDT-4h.csv, the third with a non-numeric close.
    const lines = readDataFile('binance-spot-ohlcv/BTCUSDT-4h.csv').split('\n').slice(0, 301);
    lines[3] = lines[3]!.replace(/^((?:[^,]*,){4})[^,]*/, '$1n/a');
    const input = join(dir, 'BTCUSDT-4h.csv');
    writeFileSync(input, lines.join('\n'));
    const report = await writeFeatures({ data: input, out: join(dir, 'bad.csv') });
    expect(report.series).toEqual({ exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    expect(report.rows).toBe(299);
    expect(report.rejected).toEqual([
      { line: 4, reason: 'not_a_number', message: expect.stringContaining('close is not a number') },
    ]);
    expect(readFileSync(join(dir, 'bad.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(300);
  });

  it('refuses a file with no valid candles with a typed error', async () => {
    const input = join(dir, 'ETHUSDT-1h.csv');
    writeFileSync(input, 'time,price\n1,2\n');
    await expect(writeFeatures({ data: input, out: join(dir, 'none.csv') })).rejects.toMatchObject({
      reason: 'no_candles',
    });
  });

  it('reads symbol and timeframe from the recorded files’ names, and refuses to guess otherwise', async () => {
    expect(inferSeriesFromFileName('/x/BTCUSDT-1h.csv.gz')).toEqual({ symbol: 'BTC-USDT', timeframe: '1h' });
    expect(inferSeriesFromFileName('btc-usd-perp-1m-2022-01.csv.gz')).toEqual({
      symbol: 'BTC-USD',
      timeframe: '1m',
    });
    await expect(
      writeFeatures({ data: join(dir, 'candles.csv'), out: join(dir, 'x.csv') }),
    ).rejects.toMatchObject({
      reason: 'series_unknown',
    });
  });
});
