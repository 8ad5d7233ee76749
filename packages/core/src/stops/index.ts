export * from './entry-orders';
export * from './sellable-take-profit';
export * from './stop-coverage';
export * from './stop-monitor';
export * from './stop-plan';
export * from './stop-verification';
export * from './take-profit-ladder';
export * from './trailing-stop';
