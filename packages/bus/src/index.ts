export * from './bus';
export * from './bus-error';
export * from './memory-bus';
export * from './memory-hub';
export * from './nats-bus';
export * from './nats-naming';
export { type NatsTarget, natsTarget } from './nats-servers';
export { deleteStreams, deleteStreamsAt, ensureStreams, streamConfigs } from './nats-streams';
export { randomIds, uuidv7Formatter } from './random-ids';
