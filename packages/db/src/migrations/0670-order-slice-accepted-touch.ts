import type { Kysely } from 'kysely';

/**
 * The touch an entry TWAP was accepted at (best ask for a buy, best bid for a sell): risk sized the
 * entry on about that price, and a slice is not sent once the price moved beyond MAX_SLIPPAGE_BPS from
 * it. Nullable: exits, direct orders, and slices recorded before it was kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').addColumn('accepted_touch', 'numeric').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').dropColumn('accepted_touch').execute();
}
