import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signal_waiting_vectors')
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('timeframe', 'text', (c) => c.notNull())
    .addColumn('open_time', 'int8', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('envelope', 'jsonb', (c) => c.notNull())
    .addColumn('candidates', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('signal_waiting_vectors_pk', ['exchange', 'timeframe', 'open_time', 'symbol'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('signal_waiting_vectors').execute();
}
