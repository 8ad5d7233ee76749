export * from './indicators';
export * from './risk';
