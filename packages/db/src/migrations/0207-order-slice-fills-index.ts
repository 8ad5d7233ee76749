import { type Kysely, sql } from 'kysely';

/**
 * Every fill the orders service books first asks which slice already holds its venue trade id
 * (`fills @> [{tradeId}]`). Without an index that reads every slice of the market, a cost that grows with
 * the account's whole order history; `jsonb_path_ops` indexes exactly that containment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index order_slices_fills_idx on order_slices using gin (fills jsonb_path_ops)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('order_slices_fills_idx').execute();
}
