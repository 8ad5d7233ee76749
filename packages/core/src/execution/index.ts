export * from './book-walk';
export * from './client-order-id';
export * from './fee-model';
export * from './kill-state';
export * from './paper-fill-model';
export * from './position-fold';
export * from './slippage-guard';
export * from './twap-plan';
