export * from './feature-engine';
export * from './feature-indicators';
export * from './higher-timeframe';
export * from './support-resistance';
export * from './support-resistance-tracker';
export * from './trend';
export * from './volatility-regime';
export * from './warm-up-window';
