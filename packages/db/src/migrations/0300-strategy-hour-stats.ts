import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('strategy_hour_stats')
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('hour_utc', 'smallint', (c) => c.notNull().check(sql`hour_utc between 0 and 23`))
    .addColumn('trades', 'integer', (c) => c.notNull())
    .addColumn('expectancy', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('strategy_hour_stats_pk', ['strategy', 'hour_utc'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('strategy_hour_stats').execute();
}
