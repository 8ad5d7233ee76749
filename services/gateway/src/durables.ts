import { type NatsBus, natsTarget } from '@ballast/bus';
import { type AnySubjectFamily, Subjects } from '@ballast/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const STREAM_BY_DURABLE_SUFFIX: Record<string, AnySubjectFamily> = {
  pos: Subjects.positionEvent,
  ord: Subjects.orderEvent,
  stop: Subjects.stopEvent,
  dec: Subjects.signalDecision,
  cand: Subjects.signalCandidate,
  kill: Subjects.kill,
  resume: Subjects.resume,
  ack: Subjects.controlAck,
  alert: Subjects.alert,
  trade: Subjects.trade,
  candle: Subjects.candle,
};

/** Deletes this instance's durables on the way out; each start makes fresh ones to replay state. */
export async function deleteDurables(
  servers: string | readonly string[],
  bus: NatsBus,
  durables: readonly string[],
): Promise<void> {
  // Credentials ride in the URL under compose (one NATS user per service); nats.js ignores them there.
  const nc = await connect(natsTarget(servers));
  try {
    const jsm = await jetstreamManager(nc);
    for (const durable of durables) {
      const family = STREAM_BY_DURABLE_SUFFIX[durable.slice(durable.lastIndexOf('-') + 1)];
      if (!family) continue;
      await jsm.consumers.delete(bus.naming.stream(family.stream), durable).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}
