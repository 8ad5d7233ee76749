import { type Kysely, sql } from 'kysely';

/**
 * TimescaleDB can be used when its extension is installed on the server and its library is preloaded;
 * listed-but-not-preloaded would make CREATE EXTENSION fail and with it the whole migration.
 */
export async function timescaleUsable<DB>(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ available: boolean; preloaded: boolean }>`
    SELECT
      EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
      current_setting('shared_preload_libraries') LIKE '%timescaledb%' AS preloaded`.execute(db);
  const row = rows[0];
  return Boolean(row?.available && row.preloaded);
}
