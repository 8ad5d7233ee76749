export * from './evaluate-readiness';
export * from './live-start';
export * from './paper-performance';
export * from './readiness-inputs';
export * from './readiness-state';
export * from './readiness-thresholds';
export * from './service-uptime';
export * from './strategy-lifecycle';
