import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('closed_trades')
    .addColumn('trade_key', 'text', (c) => c.primaryKey())
    .addColumn('strategy', 'text')
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('pnl', 'numeric(30, 12)', (c) => c.notNull())
    .addColumn('close_time', 'int8', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('closed_trades').execute();
}
