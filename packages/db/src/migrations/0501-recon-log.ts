import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('recon_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('venue', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // The drift's stable key (a venue trade id, an order id): what was repaired, and what not to repeat.
    .addColumn('drift_key', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb', (c) => c.notNull().defaultTo(sql`'null'::jsonb`))
    .addColumn('after', 'jsonb', (c) => c.notNull().defaultTo(sql`'null'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('recon_log_venue_key')
    .on('recon_log')
    .columns(['venue', 'drift_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recon_log').execute();
}
