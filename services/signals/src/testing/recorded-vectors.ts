import type { Candle, FeatureVector } from '@ballast/contracts';
import { FeatureEngine, parseBinanceKlineCsv } from '@ballast/core';
import { readDataFile } from '@ballast/testkit';

/** The recorded file the signals tests replay: Binance BTCUSDT 1h candles from the start of the data. */
export const RECORDED_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';

/** The first `count` recorded candles, and the feature vectors the engine makes of them once warm. */
export function recordedBtcVectors(count = 600): { candles: Candle[]; vectors: FeatureVector[] } {
  const candles = parseBinanceKlineCsv(readDataFile(RECORDED_FILE), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    timeframe: '1h',
  }).candles.slice(0, count);
  const engine = new FeatureEngine();
  const vectors = candles.map((c) => engine.onCandle(c)).filter((v): v is FeatureVector => v !== null);
  return { candles, vectors };
}
