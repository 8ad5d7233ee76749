import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('service_uptime_samples')
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('sampled_at', 'int8', (c) => c.notNull())
    .addColumn('healthy', 'boolean', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_uptime_samples_pk', ['service', 'sampled_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('service_uptime_samples').execute();
}
