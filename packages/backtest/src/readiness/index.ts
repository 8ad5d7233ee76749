export * from './assert-live-allowed';
export * from './gather-readiness';
export * from './readiness-state';
