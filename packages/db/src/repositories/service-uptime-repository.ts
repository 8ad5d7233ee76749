import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { finite, toNumber } from '../to-number';

export interface UptimeSample {
  service: string;
  sampledAt: number;
  healthy: boolean;
}

/**
 * Health samples per service, one per interval while the service runs (healthy when its readiness
 * checks pass); the readiness gate reads each service's healthy count over the paper period.
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

  /**
   * Healthy samples per service in [from, to]. Only counts: the gate divides by the samples each
   * service should have written (serviceUptime), since none are written while it is down.
   */
  async healthyByService(from: number, to: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('service_uptime_samples')
      .select((eb) => ['service', eb.fn.countAll<string | number | bigint>().as('healthy')])
      .where('healthy', '=', true)
      .where('sampled_at', '>=', from)
      .where('sampled_at', '<=', to)
      .groupBy('service')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.service, toNumber(r.healthy)]));
  }
}
