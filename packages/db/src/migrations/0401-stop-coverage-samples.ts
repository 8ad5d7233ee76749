import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stop_coverage_samples')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('sampled_at', 'int8', (c) => c.notNull())
    .addColumn('open_positions', 'integer', (c) => c.notNull().check(sql`open_positions >= 0`))
    .addColumn('protected_positions', 'integer', (c) =>
      c.notNull().check(sql`protected_positions >= 0 and protected_positions <= open_positions`),
    )
    .addPrimaryKeyConstraint('stop_coverage_samples_pk', ['source', 'sampled_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stop_coverage_samples').execute();
}
