import type { Kysely } from 'kysely';

/**
 * What bounds an entry's later slices (a TWAP's): the touch it was accepted at (best ask for a buy,
 * best bid for a sell; a slice is not sent once the price moved beyond MAX_SLIPPAGE_BPS from it) and
 * when risk's approval of it expires (no slice is sent after). Nullable: exits, orders of no approval,
 * and slices recorded before they were kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').addColumn('accepted_touch', 'numeric').execute();
  await db.schema.alterTable('order_slices').addColumn('expires_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').dropColumn('expires_at').execute();
  await db.schema.alterTable('order_slices').dropColumn('accepted_touch').execute();
}
