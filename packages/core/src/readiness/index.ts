export * from './evaluate-readiness';
export * from './paper-performance';
export * from './readiness-inputs';
export * from './readiness-thresholds';
export * from './strategy-lifecycle';
