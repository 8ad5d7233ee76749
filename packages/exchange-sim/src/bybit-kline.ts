import type { CandleRow } from './candle-series';
import type { RecordedFrame } from './recorded-frame';

/**
 * Bybit v5 kline intervals by the Binance-style names the candle options use. Written out again on
 * purpose (packages/exchange has its own): the simulator must not share wire mappings with the client
 * it tests, or a wrong one would pass on both sides.
 */
const BYBIT_INTERVAL: Record<string, string> = {
  '1m': '1',
  '5m': '5',
  '15m': '15',
  '1h': '60',
  '4h': '240',
  '1d': 'D',
};

export function bybitInterval(interval: string): string | undefined {
  return BYBIT_INTERVAL[interval];
}

export interface BybitCandleData {
  symbol: string;
  interval: string;
  row: CandleRow;
}

/**
 * A confirmed `kline.<interval>.<symbol>` frame from a recorded candle row, with the field order of
 * the recorded Bybit frames. The CSVs carry no turnover: sent as "0" rather than invented.
 */
export function bybitKlineFrame(row: CandleRow, symbol: string, interval: string): RecordedFrame {
  const bybit = bybitInterval(interval) ?? interval;
  const k = {
    start: row.openTime,
    end: row.closeTime,
    interval: bybit,
    open: row.open,
    close: row.close,
    high: row.high,
    low: row.low,
    volume: row.volume,
    turnover: '0',
    confirm: true,
    timestamp: row.closeTime + 1,
  };
  const route = `kline.${bybit}.${symbol}`;
  const data: BybitCandleData = { symbol, interval, row };
  return {
    raw: JSON.stringify({ topic: route, data: [k], ts: row.closeTime + 1, type: 'snapshot' }),
    route,
    time: row.closeTime + 1,
    data,
  };
}

/** One `/v5/market/kline` list entry: start, open, high, low, close, volume, turnover (all text). */
export function bybitRestKline(row: CandleRow): string[] {
  return [String(row.openTime), row.open, row.high, row.low, row.close, row.volume, '0'];
}
