import { type Kysely, sql } from 'kysely';
import { timescaleUsable } from '../timescale';

/** 30 days of epoch milliseconds: a month of 1m candles for a few hundred symbols per chunk. */
const CHUNK_INTERVAL_MS = 30 * 24 * 60 * 60 * 1000;

/** Only with TimescaleDB; elsewhere candles stays a plain table and this migration records a no-op. */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(await timescaleUsable(db))) return;
  await sql`CREATE EXTENSION IF NOT EXISTS timescaledb`.execute(db);
  await sql`SELECT create_hypertable('candles', 'open_time',
    chunk_time_interval => ${sql.lit(CHUNK_INTERVAL_MS)}::bigint,
    if_not_exists => TRUE,
    migrate_data => TRUE)`.execute(db);
}

/** Undone by 0001's down, which drops the table with its chunks. */
export async function down(): Promise<void> {}
