import type { Envelope, SubjectFamily } from '@ballast/contracts';
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { decodeEnvelope } from './envelope-codec';
import type { NatsNaming } from './nats-naming';

/** Where a retained read looks: a stream, the subjects under it, and how far back per subject. */
export interface RetainedRead<T> {
  readonly family: SubjectFamily<T>;
  /** The wire filter (prefixed), e.g. `t_x.feat.>`. */
  readonly filter: string;
  /** The earliest publication time (epoch ms) to read on one logical subject; undefined skips it. */
  readonly since: (subject: string) => number | undefined;
}

/** A consumer left behind by a read that died is removed by the server after this long idle. */
const INACTIVE_MS = 30_000;
const FETCH_EXPIRES_MS = 5_000;

/**
 * The messages a stream still holds on each subject under `filter` since that subject's start time, in
 * stream order: one ephemeral consumer per subject (no acks, no durable), so nothing any durable
 * consumer owes or has acknowledged changes. An unreadable message is left out.
 */
export async function readRetained<T>(
  jsm: JetStreamManager,
  js: JetStreamClient,
  naming: NatsNaming,
  read: RetainedRead<T>,
): Promise<Envelope<T>[]> {
  const stream = naming.stream(read.family.stream);
  const info = await jsm.streams.info(stream, { subjects_filter: read.filter });
  const out: Envelope<T>[] = [];
  for (const wire of Object.keys(info.state.subjects ?? {}).sort()) {
    const since = read.since(naming.logical(wire));
    if (since === undefined) continue;
    out.push(...(await readSubject(jsm, js, stream, wire, since, read.family)));
  }
  return out;
}

async function readSubject<T>(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  wire: string,
  since: number,
  family: SubjectFamily<T>,
): Promise<Envelope<T>[]> {
  const created = await jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(since).toISOString(),
    filter_subject: wire,
    inactive_threshold: nanos(INACTIVE_MS),
    mem_storage: true,
  });
  try {
    // num_pending is what the stream held at creation: the read stops there, whatever comes after.
    let pending = created.num_pending;
    const out: Envelope<T>[] = [];
    const consumer = await js.consumers.get(stream, created.name);
    while (pending > 0) {
      const batch = await consumer.fetch({ max_messages: pending, expires: FETCH_EXPIRES_MS });
      let got = 0;
      for await (const m of batch) {
        got++;
        const decoded = decodeEnvelope(family, m.string());
        if (decoded.ok) out.push(decoded.envelope);
      }
      if (got === 0) break;
      pending -= got;
    }
    return out;
  } finally {
    await jsm.consumers.delete(stream, created.name).catch(() => undefined);
  }
}
