import { AckPolicy, type ConsumerConfig, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { BusError } from './bus-error';
import { errorText } from './delivery';

export interface DurableSpec {
  stream: string;
  durable: string;
  filter: string;
  ackWaitMs: number;
  /** Unacknowledged messages the server lets the consumer hold: what it pulls ahead, at most. */
  maxAckPending: number;
  fromStart: boolean;
  /** Where a durable created again after the server lost it resumes (RFC 3339); wins over `fromStart`. */
  startTime?: string;
}

/**
 * The server redelivers without limit; the bus counts deliveries itself (`processDelivery`). A server
 * `max_deliver` equal to the handler's tries never redelivered a message whose last try could not be
 * dead-lettered (DLQ stream away, NATS failing publishes): it was lost with no dead letter. The
 * bus dead-letters a delivery beyond `maxDeliver` without running the handler, so a message whose
 * handler crashes its process is dead-lettered too, not redelivered forever.
 */
const SERVER_MAX_DELIVER = -1;

/**
 * Creates the durable pull consumer, or reuses it when it exists with the same filter. Redelivery
 * delays come from nak(delay) per failure rather than consumer `backoff`: with `backoff` set the
 * server uses its first step as the ack wait, which would redeliver a slow handler's message.
 */
export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  const existing = await jsm.consumers.info(spec.stream, spec.durable).catch(() => null);
  if (existing) {
    if (existing.config.filter_subject !== spec.filter) {
      throw new BusError(
        'consumer_conflict',
        `durable ${spec.durable} on ${spec.stream} already filters ${existing.config.filter_subject}, not ${spec.filter}`,
      );
    }
    if (
      existing.config.max_deliver === SERVER_MAX_DELIVER &&
      existing.config.ack_wait === nanos(spec.ackWaitMs) &&
      existing.config.max_ack_pending === spec.maxAckPending
    )
      return;
    await jsm.consumers.update(spec.stream, spec.durable, {
      max_deliver: SERVER_MAX_DELIVER,
      ack_wait: nanos(spec.ackWaitMs),
      max_ack_pending: spec.maxAckPending,
    });
    return;
  }
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    filter_subject: spec.filter,
    ack_policy: AckPolicy.Explicit,
    ...deliverFrom(spec),
    max_deliver: SERVER_MAX_DELIVER,
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
  };
  try {
    await jsm.consumers.add(spec.stream, config);
  } catch (err) {
    throw new BusError(
      'transport',
      `cannot create durable ${spec.durable} on stream ${spec.stream} (run ensureStreams?): ${errorText(err)}`,
      {
        cause: err,
      },
    );
  }
}

function deliverFrom(spec: DurableSpec): Partial<ConsumerConfig> {
  if (spec.startTime !== undefined)
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: spec.startTime };
  return { deliver_policy: spec.fromStart ? DeliverPolicy.All : DeliverPolicy.New };
}

/**
 * The RFC 3339 time one nanosecond after a stream message's `timestampNanos`: a durable created again
 * from it delivers what the stream stored after that message (all of a stream created since).
 */
export function justAfter(timestampNanos: bigint): string {
  const next = timestampNanos + 1n;
  const seconds = new Date(Number(next / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${(next % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** The nanoseconds since the epoch of a server's RFC 3339 time (a stored message's, a durable's creation). */
export function nanosOf(time: string): bigint {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (match === null) throw new Error(`not an RFC 3339 time: ${time}`);
  const seconds = BigInt(Date.parse(`${match[1]}${match[3]}`) / 1000);
  return seconds * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}
