import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { finite, toNumber } from '../to-number';

export interface UptimeSample {
  service: string;
  sampledAt: number;
  healthy: boolean;
}

export interface UptimeSummary {
  samples: number;
  healthy: number;
}

/**
 * Health samples per service. Services are meant to record one per interval (healthy when their
 * health check passes); the readiness gate reads the healthy share over the paper period.
 */
export class ServiceUptimeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A second sample for the same service and time is ignored. */
  async record(sample: UptimeSample): Promise<void> {
    await this.db
      .insertInto('service_uptime_samples')
      .values({
        service: sample.service,
        sampled_at: finite(sample.sampledAt, 'sampledAt'),
        healthy: sample.healthy,
      })
      .onConflict((oc) => oc.columns(['service', 'sampled_at']).doNothing())
      .execute();
  }

  /** Samples of every service in [from, to]. */
  async summary(from: number, to: number): Promise<UptimeSummary> {
    const row = await this.db
      .selectFrom('service_uptime_samples')
      .select((eb) => [
        eb.fn.countAll<string | number | bigint>().as('samples'),
        eb.fn.count<string | number | bigint>('service').filterWhere('healthy', '=', true).as('healthy'),
      ])
      .where('sampled_at', '>=', from)
      .where('sampled_at', '<=', to)
      .executeTakeFirstOrThrow();
    return { samples: toNumber(row.samples), healthy: toNumber(row.healthy) };
  }
}
