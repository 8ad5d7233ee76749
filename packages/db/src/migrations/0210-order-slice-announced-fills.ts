import { type Kysely, sql } from 'kysely';

/**
 * How many of each order's recorded fills have been announced (`ord.event` and `pos.event` published).
 * A fill is recorded before it is announced; a crash or restart between the two (NATS unreachable, the
 * announcement held in memory) lost the events for good, the stops service never protecting the
 * position. Fills past this count are announced again at start. Rows already there were announced.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('order_slices')
    .addColumn('announced_fills', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update order_slices set announced_fills = jsonb_array_length(fills)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').dropColumn('announced_fills').execute();
}
