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

/** True when candles is registered as a TimescaleDB hypertable. */
export async function candlesIsHypertable<DB>(db: Kysely<DB>): Promise<boolean> {
  const { rows: installed } = await sql`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`.execute(db);
  if (installed.length === 0) return false;
  const { rows } = await sql`
    SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'candles'`.execute(db);
  return rows.length === 1;
}
