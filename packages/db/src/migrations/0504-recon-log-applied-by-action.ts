import { type Kysely, sql } from 'kysely';

/**
 * Every pass asks which drifts of its venue were settled with an action (external orders left alone:
 * `settledWith`). recon_log gains rows every run and nothing deletes them; indexed by venue and key
 * only, that question read every log row of the venue.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('recon_log_applied_by_action')
    .on('recon_log')
    .columns(['venue', 'action'])
    .where(sql.ref('outcome'), '=', 'applied')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('recon_log_applied_by_action').execute();
}
