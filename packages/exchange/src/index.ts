export * from './binance-depth-snapshot';
export * from './binance-spot-feed';
export * from './bybit-linear-feed';
export * from './frame-result';
export * from './payload-checks';
export * from './venue-feed';
export * from './wire-values';
