import type { Kysely } from 'kysely';

/**
 * When each override stops keeping its strategy live without an all-green gate (epoch ms). Nullable:
 * overrides recorded before they expired.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('live_overrides').addColumn('expires_at', 'int8').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('live_overrides').dropColumn('expires_at').execute();
}
