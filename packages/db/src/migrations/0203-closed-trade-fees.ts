import type { Kysely } from 'kysely';

/** Fees paid by each closed trade (its pnl is already net of them), for reports and the public page. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('closed_trades')
    .addColumn('fees', 'numeric(30, 12)', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('closed_trades').dropColumn('fees').execute();
}
