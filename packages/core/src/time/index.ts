export * from './seeded-ids';
export * from './seeded-random';
export * from './utc-day';
export * from './virtual-clock';
