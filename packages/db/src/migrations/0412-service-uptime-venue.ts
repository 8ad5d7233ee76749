import { type Kysely, sql } from 'kysely';

/**
 * Each sample names the venue of the process that wrote it (risk, orders and stops run one per venue;
 * '' for a service with none, and for samples written before): one venue's orders up no longer hides
 * another's down, since both wrote under `orders` and one sample per interval filled the interval.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('service_uptime_samples')
    .addColumn('venue', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`alter table service_uptime_samples drop constraint service_uptime_samples_pk`.execute(db);
  await db.schema
    .alterTable('service_uptime_samples')
    .addPrimaryKeyConstraint('service_uptime_samples_pk', ['service', 'venue', 'sampled_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from service_uptime_samples where venue <> ''`.execute(db);
  await sql`alter table service_uptime_samples drop constraint service_uptime_samples_pk`.execute(db);
  await db.schema
    .alterTable('service_uptime_samples')
    .addPrimaryKeyConstraint('service_uptime_samples_pk', ['service', 'sampled_at'])
    .execute();
  await db.schema.alterTable('service_uptime_samples').dropColumn('venue').execute();
}
