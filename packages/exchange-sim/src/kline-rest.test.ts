import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseCandleCsv } from './candle-series';
import { binanceDecimal, mulUnits, toUnits } from './decimal';
import { selectKlines, toRestKline } from './kline-rest';

// Reads binance-spot-ohlcv/BTCUSDT-4h.csv.
const series = parseCandleCsv(readDataFile('binance-spot-ohlcv/BTCUSDT-4h.csv'), 'BTCUSDT', '4h');

describe('selectKlines (Binance rules)', () => {
  it('takes the first `limit` from startTime', () => {
    const start = series.rows[10]?.openTime as number;
    expect(selectKlines(series.rows, { startTime: start, limit: 3 })).toEqual(series.rows.slice(10, 13));
  });

  it('takes the last `limit` up to endTime when only endTime is given', () => {
    const end = series.rows[10]?.openTime as number;
    expect(selectKlines(series.rows, { endTime: end, limit: 3 })).toEqual(series.rows.slice(8, 11));
  });

  it('returns the latest `limit` rows without a range, and nothing for an empty range', () => {
    expect(selectKlines(series.rows, { limit: 2 })).toEqual(series.rows.slice(-2));
    expect(selectKlines(series.rows, { startTime: 5, endTime: 4, limit: 2 })).toEqual([]);
  });

  it('formats the first recorded row as Binance does', () => {
    expect(toRestKline(series.rows[0] as (typeof series.rows)[0])).toEqual([
      1502942400000,
      '4261.48000000',
      '4349.99000000',
      '4261.32000000',
      '4349.99000000',
      '82.08886500',
      1502956799999,
      '0.00000000',
      0,
      '0.00000000',
      '0.00000000',
      '0',
    ]);
  });
});

describe('decimal units', () => {
  it('rounds float-noise volumes to 8 decimals and multiplies exactly', () => {
    expect(binanceDecimal('5796491.2000000002')).toBe('5796491.20000000');
    expect(mulUnits(toUnits('58001.04'), toUnits('0.001'))).toBe(toUnits('58.00104'));
  });
});
