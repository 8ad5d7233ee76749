export * from './gather-readiness';
export * from './open-positions';
export * from './paper-equity';
