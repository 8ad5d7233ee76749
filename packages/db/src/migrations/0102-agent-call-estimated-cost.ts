import type { Kysely } from 'kysely';

/**
 * The part of an agent call's cost_usd we estimated at its ceiling (ADR 25: a call timed out or cut off,
 * for which no vendor reported usage), so an audit tells an estimate from what the vendor billed; 0 for
 * rows from before it was recorded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('agent_calls')
    .addColumn('cost_estimated_usd', 'numeric(20, 8)', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agent_calls').dropColumn('cost_estimated_usd').execute();
}
