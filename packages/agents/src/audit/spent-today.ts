import type { Clock } from '@ballast/contracts';
import type { Database } from '@ballast/db';
import type { Kysely } from 'kysely';
import { utcDayStartMs } from '../resilience/cost-budget';

/**
 * What the audited agent calls cost since the current UTC day began (by `clock`): the spend a
 * restarted process must count against today's budget before it calls again.
 */
export async function spentTodayUsd(db: Kysely<Database>, clock: Clock): Promise<number> {
  const row = await db
    .selectFrom('agent_calls')
    .select((eb) => eb.fn.sum<string | number | null>('cost_usd').as('spent'))
    .where('created_at', '>=', new Date(utcDayStartMs(clock.now())))
    .executeTakeFirst();
  return row?.spent == null ? 0 : Number(row.spent);
}
