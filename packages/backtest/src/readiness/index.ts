export * from './gather-readiness';
export * from './paper-equity';
