import { type Kysely, sql } from 'kysely';

/**
 * Paper orders keyed by the venue's order id, not the client's: Binance accepts a client order id again
 * once the order that had it is closed, so one client id can name several orders over time. `placed`
 * numbers them in the order they were first stored, so a restart knows which one the id names now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('paper_orders').addColumn('venue_order_id', 'text').execute();
  await sql`update paper_orders set venue_order_id = "order"->>'venueOrderId'`.execute(db);
  await db.schema
    .alterTable('paper_orders')
    .alterColumn('venue_order_id', (c) => c.setNotNull())
    .execute();
  await db.schema.alterTable('paper_orders').dropConstraint('paper_orders_pk').execute();
  await db.schema
    .alterTable('paper_orders')
    .addPrimaryKeyConstraint('paper_orders_pk', ['venue', 'venue_order_id'])
    .execute();
  await db.schema.alterTable('paper_orders').addColumn('placed', 'bigserial').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('paper_orders').dropColumn('placed').execute();
  await db.schema.alterTable('paper_orders').dropConstraint('paper_orders_pk').execute();
  await db.schema
    .alterTable('paper_orders')
    .addPrimaryKeyConstraint('paper_orders_pk', ['venue', 'client_order_id'])
    .execute();
  await db.schema.alterTable('paper_orders').dropColumn('venue_order_id').execute();
}
