import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsBus, NatsNaming } from '@ballast/bus';
import { pattern, Subjects, subject, uuidv7 } from '@ballast/contracts';
import { freePort, uniqueName, waitFor } from '@ballast/testkit';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The shared suite and its recorded candles are test code of the bus package, not part of its API.
import { runBusConformance } from '../../packages/bus/src/conformance';
import { recordedCandles } from '../../packages/bus/src/recorded-candles';
import { type NatsServerProcess, startNatsServer } from './nats-server-process';

// Three nats-server processes on loopback, each from the committed infra/nats/cluster/node-N.conf with only
// its ports and store directory moved, and its auth include left out: the suite publishes as a test
// identity on its own subjects; the permissions are proven by nats-auth.test.ts.

const clusterDir = join(import.meta.dirname, '..', '..', 'infra', 'nats', 'cluster');
const dir = mkdtempSync(join(tmpdir(), 'ballast-nats-cluster-'));
const NODES = [1, 2, 3] as const;
const nodes = new Map<number, NatsServerProcess>();
const clientPorts = new Map<number, number>();
let servers: string[] = [];

function nodeConfig(
  n: number,
  ports: { client: number; monitor: number; route: Map<number, number> },
): string {
  let conf = readFileSync(join(clusterDir, `node-${n}.conf`), 'utf8')
    .replace(/^port: 4222$/m, `port: ${ports.client}`)
    .replace(/^http_port: 8222$/m, `http_port: ${ports.monitor}`)
    .replace('/data/jetstream', join(dir, `node-${n}`))
    .replace('listen: 0.0.0.0:6222', `listen: 127.0.0.1:${ports.route.get(n)}`)
    .replace(/^include \.\.\/auth\.conf$/m, '');
  for (const k of NODES)
    conf = conf.replace(`nats-route://nats-${k}:6222`, `nats-route://127.0.0.1:${ports.route.get(k)}`);
  return conf;
}

/** Waits until the cluster has a JetStream meta leader and three peers: an R3 stream can be created. */
async function waitForClusterReady(): Promise<void> {
  const nc = await connect({ servers });
  try {
    const name = `PROBE_${randomBytes(4).toString('hex')}`;
    const jsm = await waitFor(
      async () => {
        const m = await jetstreamManager(nc);
        await m.streams.add({ name, subjects: [`${name}.x`], num_replicas: 3, storage: StorageType.File });
        return m;
      },
      'an R3 stream on the three-node cluster',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  const route = new Map<number, number>();
  for (const n of NODES) route.set(n, await freePort());
  await Promise.all(
    NODES.map(async (n) => {
      const client = await freePort();
      clientPorts.set(n, client);
      const file = join(dir, `node-${n}.conf`);
      writeFileSync(file, nodeConfig(n, { client, monitor: await freePort(), route }));
      nodes.set(n, await startNatsServer(['-c', file]));
    }),
  );
  servers = NODES.map((n) => `nats://127.0.0.1:${clientPorts.get(n)}`);
  await waitForClusterReady();
}, 120_000);

afterAll(async () => {
  // The cluster's streams live in its temporary store, removed with it.
  await Promise.all([...nodes.values()].map((node) => node.stop()));
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

runBusConformance('NatsBus on a three-node NATS cluster, streams replicated 3 times', async () => {
  const prefix = `${uniqueName('cluster_conformance')}.`;
  const naming = new NatsNaming(prefix);
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  /** Creates the suite's streams, replicated 3 times. */
  const ensureStreams = async () => {
    const setup = await NatsBus.connect({
      servers,
      prefix,
      source: 'setup',
      clock: { now: Date.now },
      replicas: 3,
    });
    await setup.ensureStreams();
    await setup.drain();
  };
  await ensureStreams();
  const info = await jsm.streams.info(naming.stream('MD_CANDLE'));
  expect(info.config.num_replicas).toBe(3);
  const js = jetstream(nc);
  return {
    makeBus: (deps) => NatsBus.connect({ ...deps, servers, prefix, replicas: 3 }),
    publishRaw: async (subjectValue, raw) => {
      await js.publish(naming.subject(subjectValue), new TextEncoder().encode(raw));
    },
    refuseDeadLetters: async () => {
      await jsm.streams.delete(naming.stream('DLQ'));
      return ensureStreams;
    },
    close: () => nc.close(),
  };
});

describe('a cluster node killed mid-stream', () => {
  it('loses nothing and stores nothing twice: the R3 stream fails over and retried publishes de-duplicate by envelope id', {
    timeout: 300_000,
  }, async () => {
    const prefix = `${uniqueName('cluster_kill')}.`;
    const naming = new NatsNaming(prefix);
    const clock = { now: Date.now };
    const producer = await NatsBus.connect({ servers, prefix, source: 'market-data', clock, replicas: 3 });
    const consumer = await NatsBus.connect({ servers, prefix, source: 'features', clock, replicas: 3 });
    const nc = await connect({ servers });
    try {
      await producer.ensureStreams();
      const jsm = await jetstreamManager(nc);
      const stream = naming.stream('MD_CANDLE');
      const before = await jsm.streams.info(stream);
      expect(before.config.num_replicas).toBe(3);
      expect(before.config.retention).toBe(RetentionPolicy.Limits);
      expect(before.cluster?.replicas).toHaveLength(2);

      const firstDeliveries = new Map<string, number>();
      // At least once: a delivery in flight on the killed leader comes again, flagged deliveries > 1.
      const handledIds = new Set<string>();
      let handled = 0;
      await consumer.subscribe(
        pattern(Subjects.candle, {}),
        (m, ctx) => {
          handled++;
          handledIds.add(m.id);
          if (ctx.deliveries === 1) firstDeliveries.set(m.id, (firstDeliveries.get(m.id) ?? 0) + 1);
        },
        { durable: 'features-failover' },
      );

      const candles = recordedCandles(300);
      const to = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
      const ids = candles.map(() => uuidv7(clock.now(), randomBytes(10)));
      let retries = 0;
      let killed: string | undefined;
      for (const [i, candle] of candles.entries()) {
        if (i === 100) {
          // The stream's leader dies the way a machine does: no goodbye to the cluster.
          killed = (await jsm.streams.info(stream)).cluster?.leader;
          const n = Number(killed?.split('-').at(-1));
          await nodes.get(n)?.kill();
        }
        // At-least-once publishing: retry the same envelope id until the stream acknowledges it.
        for (;;) {
          try {
            await producer.publish(to, candle, { id: ids[i] as string });
            break;
          } catch {
            retries++;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      }
      expect(killed).toMatch(/^ballast-nats-[123]$/);

      await waitFor(() => handledIds.size === candles.length, 'every candle delivered after the failover', {
        timeoutMs: 180_000,
        intervalMs: 200,
      });
      const after = await jsm.streams.info(stream);
      expect(after.cluster?.leader).not.toBe(killed);
      // Nothing stored twice, however many publishes were retried; nothing lost.
      expect(after.state.messages).toBe(candles.length);
      expect([...handledIds].sort()).toEqual([...ids].sort());
      // Stored once each: no envelope id was ever delivered fresh (deliveries = 1) twice.
      expect([...firstDeliveries.values()].every((count) => count === 1)).toBe(true);
      console.log(
        `killed ${killed} after 100 of ${candles.length} publishes: ${retries} publish retries, ` +
          `${handled - candles.length} redeliveries (flagged deliveries > 1), ${after.state.messages} stored`,
      );
    } finally {
      await consumer.drain();
      await producer.drain();
      await nc.close();
    }
  });
});
