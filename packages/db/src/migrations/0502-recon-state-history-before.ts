import type { Kysely } from 'kysely';

/**
 * When a venue's trade history ends (its first reconciliation run): with RECON_SKIP_TRADE_HISTORY, a
 * market first read later skips only its trades from before it. Nullable: rows stored before this
 * column existed take the next run's time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('recon_state').addColumn('history_before', 'int8').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('recon_state').dropColumn('history_before').execute();
}
