import type { CandleRow } from './candle-series';
import { binanceDecimal } from './decimal';

/**
 * A closed-candle `<symbol>@kline_<interval>` combined-stream frame built from a recorded candle row,
 * with the field order of the recorded Binance frames. Fields the CSV lacks (trade ids, counts, quote
 * and taker volumes) are -1 / 0, as Binance sends for a window without trades.
 */
export function candleKlineFrame(row: CandleRow, symbol: string, interval: string): string {
  const data = {
    e: 'kline',
    E: row.closeTime + 1,
    s: symbol,
    k: {
      t: row.openTime,
      T: row.closeTime,
      s: symbol,
      i: interval,
      f: -1,
      L: -1,
      o: binanceDecimal(row.open),
      c: binanceDecimal(row.close),
      h: binanceDecimal(row.high),
      l: binanceDecimal(row.low),
      v: binanceDecimal(row.volume),
      n: 0,
      x: true,
      q: '0.00000000',
      V: '0.00000000',
      Q: '0.00000000',
      B: '0',
    },
  };
  return JSON.stringify({ stream: klineStreamName(symbol, interval), data });
}

export function klineStreamName(symbol: string, interval: string): string {
  return `${symbol.toLowerCase()}@kline_${interval}`;
}
