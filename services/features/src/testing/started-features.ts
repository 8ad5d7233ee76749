import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import type { Database } from '@ballast/db';
import { type Logger, SystemClock } from '@ballast/service-kit';
import { natsUrl, uniqueName } from '@ballast/testkit';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { featuresConfigSchema } from '../config';
import { startFeaturesService } from '../service';

/**
 * The features service warming `series` (FEATURES_SERIES syntax) from `db`, on a bus of its own prefix
 * (`servers` and `prefix`, for a test's own bus beside it). Disposing it stops the service, drains the
 * bus and deletes its streams.
 */
export async function startedFeatures(deps: {
  db: Kysely<Database>;
  log: Logger;
  metrics: Registry;
  series: string;
}): Promise<AsyncDisposable & { servers: string; prefix: string }> {
  const servers = await natsUrl();
  const prefix = `${uniqueName('features')}.`;
  const bus = await NatsBus.connect({ source: 'features', clock: new SystemClock(), servers, prefix });
  await bus.ensureStreams();
  const config = featuresConfigSchema.parse({ FEATURES_SERIES: deps.series, FEATURES_DURABLE: 'features' });
  const service = await startFeaturesService({ ...deps, bus, config, clock: new SystemClock() });
  return {
    servers,
    prefix,
    [Symbol.asyncDispose]: async () => {
      await service[Symbol.asyncDispose]();
      await bus.drain();
      await deleteStreamsAt(servers, bus.naming);
    },
  };
}
