import type { Candle, FeatureVector } from '@ballast/contracts';
import { FeatureEngine, parseBinanceKlineCsv } from '@ballast/core';
import { readDataFile } from '@ballast/testkit';

/** The recorded file the signals tests replay: Binance BTCUSDT 1h candles from the start of the data. */
export const RECORDED_FILE = 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz';
/** Its first candle's open (2017-08-17 04:00 UTC): where a test's bar clock starts. */
export const RECORDED_START = 1_502_942_400_000;

/** The first `count` recorded candles, and the feature vectors the engine makes of them once warm. */
export function recordedBtcVectors(count = 600): { candles: Candle[]; vectors: FeatureVector[] } {
  return recordedVectors(RECORDED_FILE, 'BTC-USDT', count);
}

/** The same of another recorded Binance 1h file (e.g. `binance-spot-ohlcv/ETHUSDT-1h.csv.gz`). */
export function recordedVectors(
  file: string,
  symbol: string,
  count: number,
): { candles: Candle[]; vectors: FeatureVector[] } {
  const candles = parseBinanceKlineCsv(readDataFile(file), {
    exchange: 'binance',
    symbol,
    timeframe: '1h',
  }).candles.slice(0, count);
  const engine = new FeatureEngine();
  const vectors = candles.map((c) => engine.onCandle(c)).filter((v): v is FeatureVector => v !== null);
  return { candles, vectors };
}
