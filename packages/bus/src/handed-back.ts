import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsNaming } from './nats-naming';

/** Kept as long as the longest-kept stream a service consumes (ORD, STOP: 30 days). */
const HANDED_BACK_MAX_AGE_MS = 30 * 86_400_000;
const encoder = new TextEncoder();

interface Record {
  /** Stored time of the message (nanoseconds, decimal): a stream created again reuses sequences. */
  stored: string;
  /** Times a stopping bus handed it back unhandled. */
  count: number;
}

/** The bus's own stream of messages handed back at a stop, beside the streams of STREAMS. */
export function handedBackStream(naming: NatsNaming): Partial<StreamConfig> & { name: string } {
  return {
    name: naming.stream('BUS_HANDED_BACK'),
    subjects: [naming.subject('bus.handedback.>')],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(HANDED_BACK_MAX_AGE_MS),
    max_msgs_per_subject: 1,
  };
}

/**
 * How many times each message was handed back unhandled by a stopping bus (pulled ahead of its
 * handler, nak'd at the stop so another instance takes it). JetStream counts each of those as a
 * delivery, and the bus counts tries from the delivery count: without this, a message pulled ahead at
 * a few restarts in a row was dead-lettered ("not handled within N deliveries") without its handler
 * ever failing. One record per stream, durable and sequence, read only on a redelivery.
 */
export class HandedBack {
  private readonly stream: string;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly naming: NatsNaming,
  ) {
    this.stream = naming.stream('BUS_HANDED_BACK');
  }

  /** Counts one more hand-back of `m` by `durable`; rejects when the store cannot. */
  async record(durable: string, m: JsMsg): Promise<void> {
    const count = (await this.read(durable, m)) + 1;
    const record: Record = { stored: m.timestampNanos.toString(), count };
    await this.js.publish(this.subject(durable, m), encoder.encode(JSON.stringify(record)));
  }

  /** Hand-backs of `m` recorded for `durable` (0 on a first delivery, none recorded, or the store away). */
  async count(durable: string, m: JsMsg): Promise<number> {
    if (m.info.deliveryCount <= 1) return 0;
    return this.read(durable, m).catch(() => 0);
  }

  private async read(durable: string, m: JsMsg): Promise<number> {
    const stored = await this.jsm.streams.getMessage(this.stream, { last_by_subj: this.subject(durable, m) });
    if (stored === null) return 0;
    const record = stored.json<Record>();
    return record.stored === m.timestampNanos.toString() ? record.count : 0;
  }

  /** Per stream, durable and sequence: one durable name may consume two streams. */
  private subject(durable: string, m: JsMsg): string {
    return this.naming.subject(`bus.handedback.${m.info.stream}.${durable}.${m.seq}`);
  }
}
