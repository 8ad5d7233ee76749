export * from './data';
export * from './infra';
export * from './isolation';
export * from './wait-for';
