export * from './notice-batcher';
export * from './period-pnl';
export * from './weekly-report';
export * from './weekly-schedule';
