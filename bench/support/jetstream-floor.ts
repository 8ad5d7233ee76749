// The transport's floor for `pnpm bench latency`: the same message passed along a chain of JetStream
// legs through separate processes that do nothing but what every service on the trading chain does
// around its own work: pull it from a durable consumer, publish it on the next leg and wait for the
// PubAck, then ack. Five legs through four processes, as md.candle → features → signals → risk →
// orders has four service processes; measured on the same server in the same run as the chain.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const PROCESSES = 4;
const HOP = fileURLToPath(new URL('./jetstream-hop.ts', import.meta.url));

/** Publish-to-consume times (ms) of `n` messages, one at a time, `gapMs` apart, after `warmup` more. */
export async function jetStreamFloor(
  servers: string,
  name: string,
  payload: Uint8Array,
  options: { n: number; warmup: number; gapMs: number },
): Promise<number[]> {
  const nc = await connect({ servers });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const stream = `${name}_floor`;
  const leg = (i: number) => `${name}.floor.${i}`;
  await jsm.streams.add({ name: stream, subjects: [`${name}.floor.>`], storage: StorageType.File });
  const durable = async (i: number) => {
    const consumer = `leg${i}`;
    await jsm.consumers.add(stream, {
      durable_name: consumer,
      filter_subject: leg(i),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      max_ack_pending: 32,
    });
    return consumer;
  };
  const hops = [];
  try {
    for (let i = 0; i < PROCESSES; i++) {
      const hop = fork(HOP, [servers, stream, await durable(i), leg(i + 1)]);
      hops.push(hop);
      await once(hop, 'message');
    }
    const arrivals = await (await js.consumers.get(stream, await durable(PROCESSES))).consume({
      max_messages: 32,
    });
    const next = arrivals[Symbol.asyncIterator]();
    const times: number[] = [];
    for (let i = 0; i < options.n + options.warmup; i++) {
      const t0 = performance.now();
      await js.publish(leg(0), payload);
      const arrived = await next.next();
      if (arrived.done) throw new Error('JetStream floor: the last leg stopped delivering');
      arrived.value.ack();
      if (i >= options.warmup) times.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, options.gapMs));
    }
    // Not awaited: close() settles only once the iterator is drained, and the connection goes next.
    void arrivals.close();
    return times;
  } finally {
    for (const hop of hops) hop.disconnect();
    await Promise.all(hops.map((hop) => (hop.exitCode === null ? once(hop, 'exit') : undefined)));
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
}
