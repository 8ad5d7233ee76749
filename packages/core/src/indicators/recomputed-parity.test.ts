import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBinanceKlineCsv } from '../market';
import { ChaikinMoneyFlow } from './chaikin-money-flow';
import { RealisedVolatility } from './realised-volatility';
import { VolumeRatio } from './volume-ratio';

// TA-Lib has no CMF, volume ratio or realised volatility: each streaming value is compared with a plain
// recomputation over its window, summed from scratch in index order, on real candles.
const FILES = [
  { file: 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz', symbol: 'BTC-USDT' },
  { file: 'binance-spot-ohlcv/SOLUSDT-1h.csv.gz', symbol: 'SOL-USDT' },
] as const;

function load(file: string, symbol: string): Candle[] {
  const parsed = parseBinanceKlineCsv(readDataFile(file), { exchange: 'binance', symbol, timeframe: '1h' });
  expect(parsed.errors).toEqual([]);
  return parsed.candles;
}

function relativeError(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.abs(b);
}

function cmfAt(candles: Candle[], end: number, n: number): number {
  let flow = 0;
  let volume = 0;
  for (let i = end - n + 1; i <= end; i++) {
    const c = candles[i]!;
    const range = c.high - c.low;
    flow += range === 0 ? 0 : ((c.close - c.low - (c.high - c.close)) / range) * c.volume;
    volume += c.volume;
  }
  return volume === 0 ? 0 : flow / volume;
}

function realisedVolatilityAt(candles: Candle[], end: number, n: number, periodsPerYear: number): number {
  const returns: number[] = [];
  for (let i = end - n + 1; i <= end; i++) returns.push(Math.log(candles[i]!.close / candles[i - 1]!.close));
  const mean = returns.reduce((s, r) => s + r, 0) / n;
  const squares = returns.reduce((s, r) => s + (r - mean) ** 2, 0);
  return Math.sqrt(squares / (n - 1)) * Math.sqrt(periodsPerYear);
}

describe.each(FILES)('streaming vs recomputed on $file', ({ file, symbol }) => {
  const candles = load(file, symbol);

  it('CMF(20) equals Σ money-flow volume / Σ volume over the last 20 bars', () => {
    const cmf = new ChaikinMoneyFlow(20);
    const values = candles.map((c) => cmf.update(c));
    expect(values.slice(0, 19).every((v) => v === null)).toBe(true);
    let worst = 0;
    for (let i = 19; i < candles.length; i++) {
      // CMF is bounded by ±1 and crosses 0, so its error is measured against max(|CMF|, 1e-3).
      const reference = cmfAt(candles, i, 20);
      const err = Math.abs(values[i]! - reference) / Math.max(Math.abs(reference), 1e-3);
      worst = Math.max(worst, err);
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('volume ratio equals volume / mean volume of the last 20 bars', () => {
    const ratio = new VolumeRatio(20);
    const values = candles.map((c) => ratio.update(c.volume));
    expect(values.slice(0, 19).every((v) => v === null)).toBe(true);
    let worst = 0;
    for (let i = 19; i < candles.length; i++) {
      let sum = 0;
      for (let j = i - 19; j <= i; j++) sum += candles[j]!.volume;
      const reference = sum === 0 ? 0 : candles[i]!.volume / (sum / 20);
      worst = Math.max(worst, relativeError(values[i]!, reference));
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });

  it('realised volatility(20, 8760) equals the annualised sample stdev of the last 20 log returns', () => {
    const vol = new RealisedVolatility(20, 8760);
    const values = candles.map((c) => vol.update(c.close));
    expect(values.slice(0, 20).every((v) => v === null)).toBe(true);
    let worst = 0;
    for (let i = 20; i < candles.length; i++) {
      worst = Math.max(worst, relativeError(values[i]!, realisedVolatilityAt(candles, i, 20, 8760)));
    }
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
