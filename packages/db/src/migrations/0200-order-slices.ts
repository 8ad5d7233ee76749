import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('order_slices')
    // The derived client order id: a second row for the same slice cannot exist.
    .addColumn('client_order_id', 'text', (c) => c.primaryKey())
    .addColumn('intent_id', 'text', (c) => c.notNull())
    .addColumn('slice', 'integer', (c) => c.notNull())
    .addColumn('strategy', 'text')
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('qty', 'numeric(30, 12)', (c) => c.notNull())
    .addColumn('price', 'numeric(30, 12)')
    .addColumn('reduce_only', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'int8', (c) => c.notNull())
    .addColumn('venue_order_id', 'text')
    .addColumn('filled_qty', 'numeric(30, 12)', (c) => c.notNull().defaultTo(0))
    .addColumn('avg_price', 'numeric(30, 12)')
    .addColumn('fills', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('detail', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('order_slices_intent_slice', ['intent_id', 'slice'])
    .execute();
  await db.schema
    .createIndex('order_slices_status_due')
    .on('order_slices')
    .columns(['status', 'due_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('order_slices').execute();
}
