import type { Kysely } from 'kysely';

/**
 * The correlation id of the message that asked for each order (a risk decision, an order command), so
 * its order and position events join the trade's chain, also when a restart sends a slice planned before.
 * Nullable: slices recorded before it was kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').addColumn('correlation_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').dropColumn('correlation_id').execute();
}
