export * from './indicators';
export * from './risk';
export * from './time';
export * from './market-data';
export * from './market';
export * from './execution';
export * from './context';
export * from './strategies';
