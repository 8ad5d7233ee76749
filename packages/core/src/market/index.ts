export * from './candle-resampler';
export * from './parse-binance-kline-csv';
export * from './resample';
