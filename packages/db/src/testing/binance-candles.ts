import { type Candle, normaliseSymbol, type Timeframe } from '@ballast/contracts';
import { readDataFile } from '@ballast/testkit';

/** A recorded candle beside the exact volume text it came from, to check decimal round trips. */
export interface RecordedCandle {
  readonly candle: Candle;
  readonly volumeText: string;
}

/**
 * The first `limit` rows of a recorded Binance kline CSV from the shared data
 * (header open_time,open,high,low,close,volume,close_time), e.g. `binance-spot-ohlcv/BTCUSDT-4h.csv`.
 */
export function readBinanceCandles(file: string, timeframe: Timeframe, limit: number): RecordedCandle[] {
  const symbol = normaliseSymbol(file.split('/').at(-1)?.split('-')[0] ?? '');
  const lines = readDataFile(file)
    .trim()
    .split('\n')
    .slice(1, limit + 1);
  return lines.map((line) => {
    const [openTime, open, high, low, close, volume, closeTime] = line.split(',');
    if (closeTime === undefined || volume === undefined) throw new Error(`short row in ${file}: ${line}`);
    const candle: Candle = {
      exchange: 'binance',
      symbol,
      timeframe,
      openTime: Number(openTime),
      closeTime: Number(closeTime),
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
    return { candle, volumeText: volume };
  });
}
