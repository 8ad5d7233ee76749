import type { Int8, Numeric } from '../column-types';

/** One OHLCV bar per (exchange, symbol, timeframe, open_time); a TimescaleDB hypertable when available. */
export interface CandlesTable {
  exchange: string;
  /** Normalised, e.g. BTC-USDT. */
  symbol: string;
  timeframe: string;
  /** Epoch milliseconds. */
  open_time: Int8;
  close_time: Int8;
  open: Numeric;
  high: Numeric;
  low: Numeric;
  close: Numeric;
  volume: Numeric;
}

export const tableName = 'candles';

export type PartialDB = { [tableName]: CandlesTable };
