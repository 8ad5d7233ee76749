/** Test helpers (`@ballast/backtest/testing`): replaying recorded candles through services on NATS. */

export * from './replay-stack';
export * from './replay-through-services';
