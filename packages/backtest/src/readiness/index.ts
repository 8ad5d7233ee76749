export * from './gather-readiness';
