import type { Kysely } from 'kysely';

/**
 * When each closed trade was entered (epoch ms of its first fill): the hour-of-day statistics group by
 * it. Nullable: trades recorded before it was kept, or whose opening the recorder did not see.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('closed_trades').addColumn('entry_time', 'int8').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('closed_trades').dropColumn('entry_time').execute();
}
