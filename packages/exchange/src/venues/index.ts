export * from './ccxt-venue';
export * from './order-venue';
export * from './paper-venue';
