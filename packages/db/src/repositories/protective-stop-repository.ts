import type { Clock } from '@ballast/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import type { Parser } from './bot-state-repository';

export type ProtectiveStopStatus = 'active' | 'closed';

/** Persisted protective stops, one row per position; the state's shape belongs to the stops service. */
export class ProtectiveStopRepository<T> {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly parser: Parser<T>,
  ) {}

  async save(
    key: { positionId: string; exchange: string; symbol: string },
    status: ProtectiveStopStatus,
    state: T,
  ): Promise<void> {
    const json = toJsonText(state, `protective stop ${key.positionId}`);
    const updatedAt = new Date(this.clock.now());
    await this.db
      .insertInto('protective_stops')
      .values({
        position_id: key.positionId,
        exchange: key.exchange,
        symbol: key.symbol,
        status,
        state: json,
        updated_at: updatedAt,
      })
      .onConflict((oc) =>
        oc.column('position_id').doUpdateSet({ status, state: json, updated_at: updatedAt }),
      )
      .execute();
  }

  async get(positionId: string): Promise<{ status: ProtectiveStopStatus; state: T } | undefined> {
    const row = await this.db
      .selectFrom('protective_stops')
      .select(['status', 'state'])
      .where('position_id', '=', positionId)
      .executeTakeFirst();
    if (!row) return undefined;
    return { status: row.status === 'active' ? 'active' : 'closed', state: this.parser.parse(row.state) };
  }

  async active(exchange?: string): Promise<T[]> {
    let query = this.db.selectFrom('protective_stops').select('state').where('status', '=', 'active');
    if (exchange) query = query.where('exchange', '=', exchange);
    const rows = await query.orderBy('position_id').execute();
    return rows.map((r) => this.parser.parse(r.state));
  }
}
