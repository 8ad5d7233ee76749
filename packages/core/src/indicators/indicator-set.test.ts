import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parseBinanceKlineCsv } from '../market';
import { classifyRegime } from './classify-regime';
import { IndicatorSet } from './indicator-set';
import { OhlcvColumns } from './ohlcv-columns';
import { periodsPerYear } from './realised-volatility';
import { Sma } from './sma';
import { VolumeRatio } from './volume-ratio';

// binance-spot-ohlcv/BTCUSDT-1h.csv.gz, first 3,000 candles (2017-08-17 onwards).
function btcCandles(): Candle[] {
  const text = readDataFile('binance-spot-ohlcv/BTCUSDT-1h.csv.gz');
  const parsed = parseBinanceKlineCsv(text, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' });
  expect(parsed.errors).toEqual([]);
  return parsed.candles.slice(0, 3_000);
}

describe('IndicatorSet', () => {
  const candles = btcCandles();

  it('preview(candle) returns exactly what update(candle) will, and changes no state', () => {
    const plain = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    const previewed = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    candles.forEach((candle, i) => {
      const expected = plain.update(candle);
      // A forming candle is previewed many times with changing prices before it closes.
      const forming = candles[i + 1] ?? candle;
      previewed.preview(forming);
      previewed.preview({ ...candle, close: candle.high, volume: candle.volume * 2 });
      const preview = previewed.preview(candle);
      expect(previewed.update(candle)).toEqual(expected);
      expect(preview).toEqual(expected);
    });
  });

  it('advanceAt(columns, i) gives exactly the snapshots advance(candle) does', () => {
    const fromObjects = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    const fromColumns = new IndicatorSet({ periodsPerYear: periodsPerYear('1h') });
    const columns = OhlcvColumns.from(candles);
    candles.forEach((candle, i) => {
      fromColumns.advanceAt(columns, i);
      expect(fromColumns.snapshot()).toEqual(fromObjects.update(candle));
    });
  });

  it('shares windows without changing a bit: sma20 is Sma(20), volumeRatio is VolumeRatio(20)', () => {
    const set = new IndicatorSet();
    const sma = new Sma(20);
    const volumeRatio = new VolumeRatio(20);
    for (const candle of candles) {
      const snapshot = set.update(candle);
      expect(snapshot.sma20).toBe(sma.update(candle.close));
      expect(snapshot.volumeRatio).toBe(volumeRatio.update(candle.volume));
    }
  });

  it('reports null for each indicator during its own warm-up only', () => {
    const set = new IndicatorSet();
    const snapshots = candles.map((c) => set.update(c));
    const firstValue = (key: keyof (typeof snapshots)[number]) => snapshots.findIndex((s) => s[key] !== null);
    expect({
      obv: firstValue('obv'),
      ema9: firstValue('ema9'),
      rsi14: firstValue('rsi14'),
      atr14: firstValue('atr14'),
      plusDi14: firstValue('plusDi14'),
      sma20: firstValue('sma20'),
      bollinger: firstValue('bollinger'),
      cmf20: firstValue('cmf20'),
      volumeRatio: firstValue('volumeRatio'),
      realisedVolatility: firstValue('realisedVolatility'),
      adx14: firstValue('adx14'),
      regime: firstValue('regime'),
      macd: firstValue('macd'),
      ema200: firstValue('ema200'),
    }).toEqual({
      obv: 0,
      ema9: 8,
      rsi14: 14,
      atr14: 14,
      plusDi14: 14,
      sma20: 19,
      bollinger: 19,
      cmf20: 19,
      volumeRatio: 19,
      realisedVolatility: 20,
      adx14: 27,
      regime: 27,
      macd: 33,
      ema200: 199,
    });
    const last = snapshots.at(-1)!;
    expect(Object.values(last).every((v) => v !== null)).toBe(true);
    expect(last.regime).toBe(
      classifyRegime({ adx: last.adx14!, bandwidthRatio: last.bollinger!.bandwidthRatio }),
    );
  });

  it('sees all three regimes in real BTC history', () => {
    const set = new IndicatorSet();
    const seen = new Set(candles.map((c) => set.update(c).regime));
    expect([...seen].sort()).toEqual(['choppy', 'trending', 'volatile', null].sort());
  });
});

describe('classifyRegime', () => {
  it('calls ADX ≥ 25 trending even when the bands are wide', () => {
    expect(classifyRegime({ adx: 25, bandwidthRatio: 3 })).toBe('trending');
  });

  it('calls wide bands without a trend volatile', () => {
    expect(classifyRegime({ adx: 24.9, bandwidthRatio: 1.5 })).toBe('volatile');
  });

  it('calls everything else choppy', () => {
    expect(classifyRegime({ adx: 24.9, bandwidthRatio: 1.49 })).toBe('choppy');
  });
});
