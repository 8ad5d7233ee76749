import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { CandleResampler } from './candle-resampler';
import { parseBinanceKlineCsv } from './parse-binance-kline-csv';
import { resample } from './resample';

const loaded = new Map<string, Candle[]>();

/** Each file is parsed once per test file: parsing 45k rows through the schema is the slow part. */
function load(file: string, symbol: string, timeframe: '1h' | '4h'): Candle[] {
  const cached = loaded.get(file);
  if (cached) return cached;
  const parsed = parseBinanceKlineCsv(readDataFile(file), { exchange: 'binance', symbol, timeframe });
  expect(parsed.errors).toEqual([]);
  loaded.set(file, parsed.candles);
  return parsed.candles;
}

/** Prices must be identical; volume is a float sum of decimal strings, so it gets a relative 1e-9. */
function expectSameBars(ours: Candle[], binance: Candle[]): void {
  expect(ours).toHaveLength(binance.length);
  const differing = ours.filter((c, i) => {
    const b = binance[i]!;
    const samePrices =
      c.openTime === b.openTime &&
      c.closeTime === b.closeTime &&
      c.timeframe === b.timeframe &&
      c.open === b.open &&
      c.high === b.high &&
      c.low === b.low &&
      c.close === b.close;
    return !samePrices || Math.abs(c.volume - b.volume) > 1e-9 * Math.max(b.volume, 1);
  });
  expect(differing).toEqual([]);
}

describe('resample', () => {
  it('builds the 11,271 bars of binance-spot-ohlcv/BTCUSDT-4h.csv from BTCUSDT-1h.csv.gz, gaps included', () => {
    const hourly = load('binance-spot-ohlcv/BTCUSDT-1h.csv.gz', 'BTC-USDT', '1h');
    const fourHourly = load('binance-spot-ohlcv/BTCUSDT-4h.csv', 'BTC-USDT', '4h');
    const result = resample(hourly, '4h');
    if (!result.ok) throw new Error(result.message);
    expectSameBars(result.candles, fourHourly);
    // The 1h file runs to 2022-10-11 10:00, so the 08:00 bucket is still forming; Binance's 4h file
    // ends before it too.
    expect(result.forming).toMatchObject({ openTime: 1665475200000, timeframe: '4h' });
  });

  it('matches ETHUSDT 4h too, including the one bar a naive resample gets wrong', () => {
    const hourly = load('binance-spot-ohlcv/ETHUSDT-1h.csv.gz', 'ETH-USDT', '1h');
    const fourHourly = load('binance-spot-ohlcv/ETHUSDT-4h.csv', 'ETH-USDT', '4h');
    const result = resample(hourly, '4h');
    if (!result.ok) throw new Error(result.message);
    expectSameBars(result.candles, fourHourly);

    // README: 64,563 of 64,564 bars match. The exception is ETHUSDT 4h 2017-09-09 20:00: its first 1h
    // candle traded nothing (volume 0, OHLC 298.76 carried over), and Binance opens the 4h bar at the
    // first trade, 298.62. Zero-volume candles therefore contribute no prices.
    const bucket = Date.UTC(2017, 8, 9, 20);
    const inputs = hourly.filter((c) => c.openTime >= bucket && c.openTime < bucket + 4 * 3_600_000);
    expect(inputs[0]).toMatchObject({ volume: 0, open: 298.76, high: 298.76, low: 298.76, close: 298.76 });
    expect(inputs[1]!.open).toBe(298.62);
    const bar = result.candles.find((c) => c.openTime === bucket)!;
    expect(bar).toMatchObject({ open: 298.62, high: 302.77, low: 294.56, close: 296.74 });
    expect(fourHourly.find((c) => c.openTime === bucket)!.open).toBe(298.62);
  });

  it('builds daily bars from 1h that equal daily bars built from Binance 4h bars', () => {
    const hourly = load('binance-spot-ohlcv/BTCUSDT-1h.csv.gz', 'BTC-USDT', '1h');
    const fourHourly = load('binance-spot-ohlcv/BTCUSDT-4h.csv', 'BTC-USDT', '4h');
    const fromHourly = resample(hourly, '1d');
    const fromFourHourly = resample(fourHourly, '1d');
    if (!fromHourly.ok || !fromFourHourly.ok) throw new Error('resample refused');
    expect(fromHourly.candles.length).toBeGreaterThan(1_800);
    expectSameBars(fromHourly.candles, fromFourHourly.candles);
  });

  it('refuses candles out of order, from another symbol, or of a timeframe that does not divide', () => {
    const hourly = load('binance-spot-ohlcv/BTCUSDT-1h.csv.gz', 'BTC-USDT', '1h').slice(0, 3);
    const resampler = new CandleResampler('4h');
    expect(resampler.push(hourly[1]!)).toEqual({ ok: true, closed: [] });
    expect(resampler.push(hourly[0]!)).toMatchObject({ ok: false, reason: 'out_of_order' });
    expect(resampler.push({ ...hourly[2]!, symbol: 'ETH-USDT' })).toMatchObject({
      ok: false,
      reason: 'series_mismatch',
    });
    expect(new CandleResampler('1h').push({ ...hourly[2]!, timeframe: '4h' })).toMatchObject({
      ok: false,
      reason: 'timeframe_mismatch',
    });
    expect(resample([hourly[1]!, hourly[0]!], '4h')).toMatchObject({
      ok: false,
      reason: 'out_of_order',
      index: 1,
    });
  });

  it('closes a bucket as soon as its last source candle arrives', () => {
    const hourly = load('binance-spot-ohlcv/BTCUSDT-1h.csv.gz', 'BTC-USDT', '1h');
    const resampler = new CandleResampler('4h');
    // 2017-08-17 04:00 is the first full 4h bucket of the file.
    const start = hourly.findIndex((c) => c.openTime === Date.UTC(2017, 7, 17, 4));
    const outcomes = hourly.slice(start, start + 4).map((c) => resampler.push(c));
    expect(outcomes.map((o) => (o.ok ? o.closed.length : -1))).toEqual([0, 0, 0, 1]);
    expect(resampler.forming).toBeNull();
  });
});
