export * from './binance-depth-sync';
export * from './bybit-depth-sync';
export * from './candle-sequencer';
export * from './depth-sync-outcome';
export * from './order-book';
export * from './reconnect-delay';
export * from './staleness-monitor';
export * from './streamed-books';
