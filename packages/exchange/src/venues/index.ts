export * from './ccxt-stop-venue';
export * from './ccxt-venue';
export * from './order-venue';
export * from './paper-stop-venue';
export * from './paper-venue';
export * from './stop-limit-price';
export * from './stop-venue';
