import { STREAMS } from '@ballast/contracts';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { BusError } from './bus-error';
import { DUPLICATE_WINDOW_MS } from './duplicate-window';
import { handedBackStream } from './handed-back';
import type { NatsNaming } from './nats-naming';
import { natsTarget } from './nats-servers';

export function streamConfigs(
  naming: NatsNaming,
  replicas = 1,
): Array<Partial<StreamConfig> & { name: string }> {
  return STREAMS.map((s) => ({
    name: naming.stream(s.name),
    subjects: s.subjects.map((subject) => naming.subject(subject)),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(s.maxAgeMs),
    max_msgs: s.maxMsgs,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: replicas,
  }));
}

/** Creates every stream of STREAMS and the bus's own, or updates its limits when it exists. Idempotent. */
export async function ensureStreams(jsm: JetStreamManager, naming: NatsNaming, replicas = 1): Promise<void> {
  const own = { ...handedBackStream(naming), num_replicas: replicas };
  for (const config of [...streamConfigs(naming, replicas), own]) {
    const exists = await jsm.streams.info(config.name).then(
      () => true,
      (err: unknown) => (isStreamNotFound(err) ? false : Promise.reject(err)),
    );
    if (exists) await jsm.streams.update(config.name, config);
    else await jsm.streams.add(config);
  }
}

/** Deletes the streams of one prefix (test clean-up); refuses the unprefixed production streams. */
export async function deleteStreams(jsm: JetStreamManager, naming: NatsNaming): Promise<void> {
  if (naming.prefix === '') throw new BusError('transport', 'refusing to delete unprefixed streams');
  for (const config of [...streamConfigs(naming), handedBackStream(naming)]) {
    await jsm.streams
      .delete(config.name)
      .catch((err: unknown) => (isStreamNotFound(err) ? false : Promise.reject(err)));
  }
}

/** The same clean-up over a connection of its own, for callers whose bus is already drained. */
export async function deleteStreamsAt(servers: string, naming: NatsNaming): Promise<void> {
  const nc = await connect(natsTarget(servers));
  try {
    await deleteStreams(await jetstreamManager(nc), naming);
  } finally {
    await nc.close();
  }
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}
