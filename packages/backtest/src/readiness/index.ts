export * from './assert-live-allowed';
export * from './gather-readiness';
