import type { BusDeps } from '@ballast/bus';
import { NatsBus } from '@ballast/bus';
import { createDb, type Database, type DbOptions, migrate, ServiceUptimeRepository } from '@ballast/db';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { BaseConfig } from './base-config';
import { DEFAULT_NATS_URL } from './nats-url-variable';
import type { DbConnection } from './run-service';

/** The live transport: JetStream at NATS_URL's servers, streams ensured under BUS_PREFIX. */
export async function connectNatsBus(config: BaseConfig, deps: BusDeps & { log: Logger }): Promise<NatsBus> {
  const bus = await NatsBus.connect({
    ...deps,
    servers: config.NATS_URL ?? DEFAULT_NATS_URL,
    ...(config.BUS_PREFIX ? { prefix: config.BUS_PREFIX } : {}),
    replicas: config.NATS_STREAM_REPLICAS,
  });
  await bus.ensureStreams();
  return bus;
}

/** PostgreSQL at DATABASE_URL (embedded PGlite when unset), migrated before the service starts. */
export function databaseConnector(
  options: Pick<DbOptions, 'commit'> = {},
): (config: BaseConfig, deps: { log: Logger }) => Promise<DbConnection<Kysely<Database>>> {
  return async (config, deps) => {
    const handle = await createDb({
      url: config.DATABASE_URL,
      onIdleClientError: (message) => deps.log.warn({ err: message }, 'idle database client failed'),
      // Kept open: a trigger an hour after the last one would otherwise connect on its way to an order.
      idleTimeoutMs: 0,
      applicationName: config.SERVICE_NAME,
      ...options,
    });
    const report = await migrate(handle.db);
    deps.log.info(
      {
        target: handle.target,
        driver: handle.driver,
        commit: options.commit ?? 'durable',
        migrations: report,
      },
      'database ready',
    );
    return {
      db: handle.db,
      close: () => handle.db.destroy(),
      uptime: new ServiceUptimeRepository(handle.db),
      ready: async () => {
        await sql`select 1`.execute(handle.db);
        return true;
      },
    };
  };
}

/** The database with durable commits: every service that records money, orders or positions. */
export const connectDatabase = databaseConnector();
