import type { Kysely } from 'kysely';

/** Numeric with room for 20 integer and 18 fractional digits: every venue's prices and sizes fit. */
const DECIMAL = 'numeric(38, 18)';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('candles')
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('timeframe', 'text', (c) => c.notNull())
    .addColumn('open_time', 'bigint', (c) => c.notNull())
    .addColumn('close_time', 'bigint', (c) => c.notNull())
    .addColumn('open', DECIMAL, (c) => c.notNull())
    .addColumn('high', DECIMAL, (c) => c.notNull())
    .addColumn('low', DECIMAL, (c) => c.notNull())
    .addColumn('close', DECIMAL, (c) => c.notNull())
    .addColumn('volume', DECIMAL, (c) => c.notNull())
    // The time column is part of the key, as a TimescaleDB hypertable requires (0002).
    .addPrimaryKeyConstraint('candles_pkey', ['exchange', 'symbol', 'timeframe', 'open_time'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('candles').execute();
}
