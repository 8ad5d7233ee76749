export * from './backtest-config';
export * from './backtest-error';
export type * from './backtest-result';
export * from './exchange-info-rules';
export * from './load-candles';
export * from './metrics';
export * from './replay-steps';
export * from './run-backtest';
export * from './trade-ledger';
