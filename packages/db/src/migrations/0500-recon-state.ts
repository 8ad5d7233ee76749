import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recon_state')
    .addColumn('venue', 'text', (c) => c.primaryKey())
    // Per symbol: where the next venue trade read starts (the venue's own cursor, opaque).
    .addColumn('cursors', 'jsonb', (c) => c.notNull())
    // The venue's balances at the last run: expected balances are these moved by newer trades.
    .addColumn('baseline', 'jsonb')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_clean_at', 'int8')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recon_state').execute();
}
