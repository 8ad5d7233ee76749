import type { Clock } from '@ballast/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import { toNumber } from '../to-number';
import type { Parser } from './bot-state-repository';

/** The paper broker's persisted account: balances per asset and its orders, per paper venue. */
export class PaperAccountRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async loadBalances(venue: string): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('paper_balances').selectAll().where('venue', '=', venue).execute();
    return Object.fromEntries(rows.map((r) => [r.asset, toNumber(r.total)]));
  }

  async saveBalances(venue: string, balances: Record<string, number>): Promise<void> {
    await upsertBalances(this.db, venue, balances, new Date(this.clock.now()));
  }

  /** Whether the paper broker keeps an account under `venue`: balances or orders of it stored. */
  async held(venue: string): Promise<boolean> {
    const balance = await this.db
      .selectFrom('paper_balances')
      .select('venue')
      .where('venue', '=', venue)
      .limit(1)
      .executeTakeFirst();
    if (balance) return true;
    const order = await this.db
      .selectFrom('paper_orders')
      .select('venue')
      .where('venue', '=', venue)
      .limit(1)
      .executeTakeFirst();
    return order !== undefined;
  }

  /** The venue order ids of every order the paper broker stored under `venue`. */
  async orderIds(venue: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('paper_orders')
      .select('venue_order_id')
      .where('venue', '=', venue)
      .execute();
    return new Set(rows.map((r) => r.venue_order_id));
  }

  async loadOrders<T>(venue: string, parser: Parser<T>): Promise<T[]> {
    const rows = await this.db
      .selectFrom('paper_orders')
      .select('order')
      .where('venue', '=', venue)
      .orderBy('placed')
      .execute();
    return rows.map((r) => parser.parse(r.order));
  }

  /**
   * An order and, when given, the balances it left, in one transaction: a fill's balances are never
   * stored without its order (a restart would not find the order and it would be sent, and filled, again).
   * Keyed by the venue's order id: a client id may name a later order once this one is closed.
   */
  async saveOrder(
    venue: string,
    ids: { clientOrderId: string; venueOrderId: string },
    order: unknown,
    balances?: Record<string, number>,
  ): Promise<void> {
    const { clientOrderId, venueOrderId } = ids;
    const json = toJsonText(order, `paper order ${clientOrderId}`);
    const updatedAt = new Date(this.clock.now());
    const write = async (db: Kysely<Database>) => {
      if (balances) await upsertBalances(db, venue, balances, updatedAt);
      await db
        .insertInto('paper_orders')
        .values({
          venue,
          venue_order_id: venueOrderId,
          client_order_id: clientOrderId,
          order: json,
          updated_at: updatedAt,
        })
        .onConflict((oc) =>
          oc.columns(['venue', 'venue_order_id']).doUpdateSet({ order: json, updated_at: updatedAt }),
        )
        .execute();
    };
    await this.db.transaction().execute(write);
  }
}

async function upsertBalances(
  db: Kysely<Database>,
  venue: string,
  balances: Record<string, number>,
  updatedAt: Date,
): Promise<void> {
  const rows = Object.entries(balances).map(([asset, total]) => ({
    venue,
    asset,
    total,
    updated_at: updatedAt,
  }));
  if (rows.length === 0) return;
  await db
    .insertInto('paper_balances')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['venue', 'asset']).doUpdateSet((eb) => ({
        total: eb.ref('excluded.total'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}
