import type { Candle } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';

/** Real Binance spot 4h candles for test payloads. */
export const RECORDED_CANDLE_FILE = 'binance-spot-ohlcv/BTCUSDT-4h.csv';

/** The first `count` rows of the recorded file, labelled with `exchange` for routing tests. */
export function recordedCandles(count: number, exchange = 'binance'): Candle[] {
  const rows = readDataFile(RECORDED_CANDLE_FILE)
    .trim()
    .split('\n')
    .slice(1, count + 1);
  return rows.map((row) => {
    const [openTime, open, high, low, close, volume, closeTime] = row.split(',').map(Number);
    return {
      exchange,
      symbol: 'BTC-USDT',
      timeframe: '4h',
      openTime: openTime!,
      closeTime: closeTime!,
      open: open!,
      high: high!,
      low: low!,
      close: close!,
      volume: volume!,
    };
  });
}
