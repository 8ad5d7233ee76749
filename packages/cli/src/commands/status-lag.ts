import { natsTarget } from '@ballast/bus';
import { STREAMS } from '@ballast/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** Messages a service's durables have not yet acknowledged (pending + in flight), by service. */
export type LagByService = ReadonlyMap<string, number>;

/** The service owning a durable: durables are named `<service>` or `<service>-<what>` by convention. */
export function ownerOf(durable: string, services: readonly string[]): string | undefined {
  return services.find((s) => durable === s || durable.startsWith(`${s}-`));
}

/**
 * Consumer lag as the server sees it, read from JetStream consumer info on the deployment's streams
 * (only those, so other deployments or tests on the same server do not count).
 */
export async function consumerLag(
  servers: string | readonly string[],
  prefix: string | null,
  services: readonly string[],
): Promise<LagByService> {
  const nc = await connect({ ...natsTarget(servers), timeout: 3_000, maxReconnectAttempts: 0 });
  try {
    const jsm = await jetstreamManager(nc);
    const streamPrefix = (prefix ?? '').replaceAll('.', '_');
    const lag = new Map<string, number>();
    for (const stream of STREAMS) {
      const name = streamPrefix + stream.name;
      const consumers = await jsm.consumers
        .list(name)
        .next()
        .catch(() => []);
      for (const info of consumers) {
        const owner = ownerOf(info.name, services);
        if (owner) lag.set(owner, (lag.get(owner) ?? 0) + info.num_pending + info.num_ack_pending);
      }
    }
    return lag;
  } finally {
    await nc.close();
  }
}
