import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { finite, toNumber } from '../to-number';

export interface UptimeSample {
  service: string;
  /** The venue of the process, for a service run one per venue (risk, orders, stops). */
  venue?: string;
  sampledAt: number;
  healthy: boolean;
}

/** How a venue's process of a service is keyed in `healthyByInstance`: `orders@binance`. */
export const uptimeInstance = (service: string, venue: string): string =>
  venue === '' ? service : `${service}@${venue}`;

/**
 * Health samples per service, one per interval while the service runs (healthy when its readiness
 * checks pass); the readiness gate reads each service's healthy count over the paper period.
 */
export class ServiceUptimeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A second sample for the same service, venue and time is ignored. */
  async record(sample: UptimeSample): Promise<void> {
    await this.db
      .insertInto('service_uptime_samples')
      .values({
        service: sample.service,
        venue: sample.venue ?? '',
        sampled_at: finite(sample.sampledAt, 'sampledAt'),
        healthy: sample.healthy,
      })
      .onConflict((oc) => oc.columns(['service', 'venue', 'sampled_at']).doNothing())
      .execute();
  }

  /**
   * Healthy sample intervals per service in [from, to]: the distinct `intervalMs` periods with a healthy
   * sample, so a service sampling faster than the gate assumes cannot count more than one per period.
   * Only counts: the gate divides by the periods each service should have covered (serviceUptime),
   * since none are written while it is down.
   */
  async healthyByService(from: number, to: number, intervalMs: number): Promise<Record<string, number>> {
    checkInterval(intervalMs);
    const rows = await this.db
      .selectFrom('service_uptime_samples')
      .select([
        'service',
        sql<string | number | bigint>`count(distinct sampled_at / ${intervalMs}::int8)`.as('healthy'),
      ])
      .where('healthy', '=', true)
      .where('sampled_at', '>=', from)
      .where('sampled_at', '<=', to)
      .groupBy('service')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.service, toNumber(r.healthy)]));
  }

  /**
   * As healthyByService, per process: keyed `service@venue` (uptimeInstance) for the samples a venue's
   * process wrote, and `service` for those written with no venue. The gate judges each venue's process
   * on its own: one venue's orders up says nothing of another's.
   */
  async healthyByInstance(from: number, to: number, intervalMs: number): Promise<Record<string, number>> {
    checkInterval(intervalMs);
    const rows = await this.db
      .selectFrom('service_uptime_samples')
      .select([
        'service',
        'venue',
        sql<string | number | bigint>`count(distinct sampled_at / ${intervalMs}::int8)`.as('healthy'),
      ])
      .where('healthy', '=', true)
      .where('sampled_at', '>=', from)
      .where('sampled_at', '<=', to)
      .groupBy(['service', 'venue'])
      .execute();
    return Object.fromEntries(rows.map((r) => [uptimeInstance(r.service, r.venue), toNumber(r.healthy)]));
  }
}

function checkInterval(intervalMs: number): void {
  if (!(Number.isSafeInteger(intervalMs) && intervalMs > 0))
    throw new DbError('invalid_value', `intervalMs must be a positive whole number of ms, got ${intervalMs}`);
}
