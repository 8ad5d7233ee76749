import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBinanceKlineCsv } from './parse-binance-kline-csv';

const BTC = { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' } as const;

describe('parseBinanceKlineCsv', () => {
  it('parses every row of binance-spot-ohlcv/BTCUSDT-1h.csv.gz into contract candles', {
    timeout: 60_000,
  }, () => {
    const { candles, errors } = parseBinanceKlineCsv(
      readDataFile('binance-spot-ohlcv/BTCUSDT-1h.csv.gz'),
      BTC,
    );
    expect(errors).toEqual([]);
    expect(candles).toHaveLength(45_024);
    expect(candles[0]).toEqual({
      ...BTC,
      openTime: 1502942400000,
      closeTime: 1502945999999,
      open: 4261.48,
      high: 4313.62,
      low: 4261.32,
      close: 4308.83,
      volume: 47.181009,
    });
  });

  it('parses the 1m perpetual file btc-usd-perp-1m-2022-01.csv.gz', { timeout: 60_000 }, () => {
    const text = readDataFile('btc-usd-perp-1m-2022-01.csv.gz');
    const { candles, errors } = parseBinanceKlineCsv(text, { ...BTC, symbol: 'BTC-USD', timeframe: '1m' });
    expect(errors).toEqual([]);
    expect(candles).toHaveLength(45_031);
  });

  it('reports each bad row with its line number and reason, and keeps the good ones', () => {
    // Real rows from binance-spot-ohlcv/BTCUSDT-4h.csv, damaged in the ways a bad export would.
    const lines = readDataFile('binance-spot-ohlcv/BTCUSDT-4h.csv').split('\n').slice(0, 8);
    const [header, r1, r2, r3, r4, r5, r6, r7] = lines as [string, ...string[]];
    const text = [
      header,
      r1,
      r2!.replace(/,[^,]*$/, ''), // line 3: a column missing
      r3!.replace(/^(\d+),[^,]*/, '$1,abc'), // line 4: open is not a number
      r4!
        .split(',')
        .map((v, i) => (i === 2 ? '1' : v))
        .join(','), // line 5: high below low
      r5!
        .split(',')
        .map((v, i) => (i === 6 ? String(Number(v) + 1) : v))
        .join(','), // line 6: wrong span
      r1, // line 7: repeats line 2
      '',
      r6,
      `${r7}\r`,
    ].join('\n');
    const { candles, errors } = parseBinanceKlineCsv(text, { ...BTC, timeframe: '4h' });
    expect(errors.map(({ line, reason }) => ({ line, reason }))).toEqual([
      { line: 3, reason: 'column_count' },
      { line: 4, reason: 'not_a_number' },
      { line: 5, reason: 'invalid_candle' },
      { line: 6, reason: 'timeframe_mismatch' },
      { line: 7, reason: 'out_of_order' },
    ]);
    expect(errors[2]!.message).toContain('high < low');
    expect(candles.map((c) => c.openTime)).toEqual([1502942400000, 1503014400000, 1503028800000]);
  });

  it('refuses a file whose header is not the Binance kline header', () => {
    const result = parseBinanceKlineCsv('time,o,h,l,c,v\n1,2,3,4,5,6', BTC);
    expect(result.candles).toEqual([]);
    expect(result.errors).toEqual([
      { line: 1, reason: 'bad_header', message: expect.stringContaining('time,o') },
    ]);
  });
});
