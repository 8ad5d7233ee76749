import type { Candle } from '@ballast/contracts';
import { recordedKlines } from '@ballast/testkit';

/** Real Binance spot 4h candles for test payloads. */
export const RECORDED_CANDLE_FILE = 'binance-spot-ohlcv/BTCUSDT-4h.csv';

/** The first `count` rows of the recorded file, labelled with `exchange` for routing tests. */
export function recordedCandles(count: number, exchange = 'binance'): Candle[] {
  return recordedKlines('BTCUSDT', '4h', count, exchange);
}
