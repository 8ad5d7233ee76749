import type { Kysely } from 'kysely';

/**
 * Reconciliation reads one venue's slices every pass (and one market's for a position repair), in the
 * order they were recorded. Without an index that read is the whole table, every account's history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('order_slices_market_created')
    .on('order_slices')
    .columns(['exchange', 'symbol', 'created_at', 'slice'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('order_slices_market_created').execute();
}
