import type { Candle, FeatureVector, SignalCandidate } from '@ballast/contracts';
import { parseBinanceKlineCsv } from '@ballast/core';
import { readDataFile } from '@ballast/testkit';

/** The last 30 real 4h BTCUSDT candles from `binance-spot-ohlcv/BTCUSDT-4h.csv` (shared data). */
export function recordedBtcCandles(): Candle[] {
  const { candles } = parseBinanceKlineCsv(readDataFile('binance-spot-ohlcv/BTCUSDT-4h.csv'), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '4h',
  });
  return candles.slice(-30);
}

/** Features derived from the candles: S/R from the window's extremes, stop and target 1.5 and 3 ranges away. */
export function fixtureFor(candles: readonly Candle[]): {
  candidate: SignalCandidate;
  features: FeatureVector;
} {
  const last = candles.at(-1);
  if (last === undefined) throw new Error('no candles');
  const lows = candles.map((c) => c.low);
  const highs = candles.map((c) => c.high);
  const meanRange = candles.reduce((s, c) => s + (c.high - c.low), 0) / candles.length;
  const entry = last.close;
  const features: FeatureVector = {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '4h',
    openTime: last.openTime,
    close: last.close,
    indicators: { adx14: 27.5, atr14: meanRange },
    regime: 'trending',
    volatility: { ratio: 1, level: 'normal', positionScale: 0.8, stopMultiplier: 1.5 },
    support: [Math.min(...lows)],
    resistance: [Math.max(...highs)],
    higherTimeframe: { timeframe: '1d', trend: 'up', regime: 'trending' },
  };
  const candidate: SignalCandidate = {
    id: 'cand-btc-1',
    strategy: 'ema-cross',
    setup: 'pullback',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '4h',
    side: 'long',
    entry,
    stop: entry - 1.5 * meanRange,
    takeProfits: [entry + 3 * meanRange],
    confidence: 70,
    rank: 1,
    rationale: 'pullback to the 21 EMA in an uptrend',
    veto: null,
  };
  return { candidate, features };
}
