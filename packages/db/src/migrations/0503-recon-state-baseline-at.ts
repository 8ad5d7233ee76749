import type { Kysely } from 'kysely';

/**
 * When a venue's balance baseline was read: a market first read after it (no cursor yet) is read from
 * its first trade, and only its trades after this time moved the balances since. Nullable: rows stored
 * before this column existed count every such trade until their next run stores it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('recon_state').addColumn('baseline_at', 'int8').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('recon_state').dropColumn('baseline_at').execute();
}
