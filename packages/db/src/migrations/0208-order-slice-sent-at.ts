import type { Kysely } from 'kysely';

/**
 * When each order was last signed and sent (ms): a send that got no answer may still reach the venue
 * until its timestamp + recvWindow, so a look-up answering "no such order" before then is not final.
 * Nullable: slices never sent, or sent before it was kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').addColumn('sent_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('order_slices').dropColumn('sent_at').execute();
}
