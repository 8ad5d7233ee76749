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

/** How a venue's process of a service is named in `healthyByProcess`: `orders@binance`. */
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
   * As healthyByService, per required process: `orders@binance` (uptimeInstance) counts the intervals
   * with a healthy sample of orders on binance or of orders naming no venue (written before samples
   * named one, when one process served every venue); `features` those naming no venue. An interval
   * sampled both ways during the upgrade counts once. One venue's orders up says nothing of another's.
   */
  async healthyByProcess(
    from: number,
    to: number,
    intervalMs: number,
    processes: readonly string[],
  ): Promise<Record<string, number>> {
    checkInterval(intervalMs);
    if (processes.length === 0) return {};
    const wanted = sql.join(
      processes.map((name) => {
        const { service, venue } = processOf(name);
        return sql`(${name}::text, ${service}::text, ${venue}::text)`;
      }),
    );
    const result = await sql<{ name: string; healthy: string | number | bigint }>`
      select p.name, count(distinct s.sampled_at / ${intervalMs}::int8) as healthy
      from (values ${wanted}) as p(name, service, venue)
      join service_uptime_samples s on s.service = p.service and s.venue in (p.venue, '')
      where s.healthy and s.sampled_at >= ${from} and s.sampled_at <= ${to}
      group by p.name`.execute(this.db);
    return Object.fromEntries(result.rows.map((r) => [r.name, toNumber(r.healthy)]));
  }
}

/** The service and venue of a process name (uptimeInstance's inverse): `orders@binance`, `features`. */
function processOf(name: string): { service: string; venue: string } {
  const at = name.indexOf('@');
  return at < 0 ? { service: name, venue: '' } : { service: name.slice(0, at), venue: name.slice(at + 1) };
}

function checkInterval(intervalMs: number): void {
  if (!(Number.isSafeInteger(intervalMs) && intervalMs > 0))
    throw new DbError('invalid_value', `intervalMs must be a positive whole number of ms, got ${intervalMs}`);
}
