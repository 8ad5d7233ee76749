import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signal_decisions')
    .addColumn('candidate_id', 'text', (c) => c.primaryKey())
    .addColumn('decision', 'jsonb', (c) => c.notNull())
    .addColumn('decided_at', 'int8', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('signal_decisions').execute();
}
