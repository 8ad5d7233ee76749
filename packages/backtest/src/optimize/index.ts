export * from './parameter-grid';
export * from './run-optimize';
export * from './walk-forward-plan';
export * from './window-metrics';
