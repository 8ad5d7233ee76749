import { type NatsNaming, natsTarget } from '@ballast/bus';
import type { AnySubjectFamily } from '@ballast/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface DurableRef {
  durable: string;
  family: AnySubjectFamily;
}

/** Deletes durables this instance made for itself (the bus has no ephemeral consumers). */
export async function deleteDurables(
  servers: string | readonly string[],
  naming: NatsNaming,
  durables: readonly DurableRef[],
): Promise<void> {
  if (durables.length === 0) return;
  // natsTarget lifts user:pass out of the URL (nats.js ignores credentials inside one).
  const nc = await connect(natsTarget(servers));
  try {
    const jsm = await jetstreamManager(nc);
    for (const { durable, family } of durables)
      await jsm.consumers.delete(naming.stream(family.stream), durable).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
