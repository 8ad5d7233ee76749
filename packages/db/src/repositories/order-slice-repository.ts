import type { Clock } from '@ballast/contracts';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import type { OrderSlicesTable } from '../tables/order-slices';
import { toNumber } from '../to-number';

export type SliceStatus = 'planned' | 'sending' | 'open' | 'filled' | 'cancelled' | 'rejected' | 'aborted';

export type OrderSlice = {
  clientOrderId: string;
  intentId: string;
  slice: number;
  strategy: string | null;
  /** The correlation id of the message that asked for the order: its events join that chain. */
  correlationId: string | null;
  exchange: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  qty: number;
  price: number | null;
  reduceOnly: boolean;
  status: SliceStatus;
  dueAt: number;
  venueOrderId: string | null;
  filledQty: number;
  avgPrice: number | null;
  fills: unknown[];
  detail: string | null;
  /**
   * When the order was last signed and sent (ms): until its recvWindow is over, a send that got no
   * answer may still reach the venue. Null: never sent, or sent before it was kept.
   */
  sentAt: number | null;
  /**
   * How many of `fills` have been announced (order and position events published): the rest were
   * recorded by a run that ended before its announcement went out, and are announced at start.
   */
  announcedFills: number;
  /**
   * The touch an entry TWAP was accepted at (best ask for a buy, best bid for a sell): its slices are
   * not sent once the price moved beyond the slippage bound from it. Null or absent: none kept.
   */
  acceptedTouch?: number | null;
  /** When risk's approval of the entry expires (ms): no slice of it is sent after. Null or absent: none. */
  expiresAt?: number | null;
};

export type NewSlice = Omit<
  OrderSlice,
  'status' | 'venueOrderId' | 'filledQty' | 'avgPrice' | 'fills' | 'detail' | 'sentAt' | 'announcedFills'
>;

/**
 * What changes as an order goes out; `qty` and `dueAt` only while it is planned (a TWAP re-paced), or
 * `qty` and `price` refitted to fresh market rules after the venue refused it (nothing was placed).
 */
export type SliceUpdate = Partial<
  Pick<
    OrderSlice,
    | 'status'
    | 'qty'
    | 'price'
    | 'venueOrderId'
    | 'filledQty'
    | 'avgPrice'
    | 'fills'
    | 'detail'
    | 'dueAt'
    | 'sentAt'
  >
>;

/** Orders we send, recorded before sending: the unique client order id makes every retry safe. */
export class OrderSliceRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /**
     * The one venue whose work (`due`, `withStatus`, `ofIntent`) is read: each trading account's orders
     * service sends, follows, recovers and aborts its own orders only, though every account's are in the table.
     */
    private readonly venue?: string,
  ) {}

  /**
   * Runs `work` on this table within one transaction: what it writes commits together or not at all (a
   * slice recorded over with the follow-up its end calls for).
   */
  async transaction<T>(work: (slices: OrderSliceRepository) => Promise<T>): Promise<T> {
    return this.db
      .transaction()
      .execute((trx) => work(new OrderSliceRepository(trx, this.clock, this.venue)));
  }

  /**
   * Records an intent's slices as planned (or as `sending`, for an order sent right away: one round
   * trip instead of an insert and an update); slices already recorded are left alone. Returns those inserted.
   */
  async plan(slices: readonly NewSlice[], status: 'planned' | 'sending' = 'planned'): Promise<number> {
    if (slices.length === 0) return 0;
    const rows = await this.db
      .insertInto('order_slices')
      .values(slices.map((s) => this.newRow(s, status)))
      .onConflict((oc) => oc.doNothing())
      .returning('client_order_id')
      .execute();
    return rows.length;
  }

  /**
   * Records an order found on the venue (reconciliation adopting one of ours) as it stands there, in
   * one statement: never half-recorded, and a client order id recorded already (by the orders service,
   * after the finder's read) is left as it is. The slice as written, or undefined when it was recorded already.
   */
  async recordFound(
    slice: NewSlice,
    found: { status: SliceStatus; venueOrderId: string | null; detail: string },
  ): Promise<OrderSlice | undefined> {
    const row = await this.db
      .insertInto('order_slices')
      .values({
        ...this.newRow(slice, found.status),
        venue_order_id: found.venueOrderId,
        detail: found.detail,
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toSlice(row) : undefined;
  }

  private newRow(s: NewSlice, status: SliceStatus) {
    const now = new Date(this.clock.now());
    return {
      client_order_id: s.clientOrderId,
      intent_id: s.intentId,
      slice: s.slice,
      strategy: s.strategy,
      correlation_id: s.correlationId,
      accepted_touch: s.acceptedTouch ?? null,
      expires_at: s.expiresAt ?? null,
      exchange: s.exchange,
      symbol: s.symbol,
      side: s.side,
      type: s.type,
      qty: s.qty,
      price: s.price,
      reduce_only: s.reduceOnly,
      status,
      due_at: s.dueAt,
      created_at: now,
      updated_at: now,
    };
  }

  async update(clientOrderId: string, patch: SliceUpdate): Promise<void> {
    await this.db
      .updateTable('order_slices')
      .set(this.row(clientOrderId, patch))
      .where('client_order_id', '=', clientOrderId)
      .execute();
  }

  /**
   * Compare-and-set for a writer outside the order manager's serial turns (reconciliation): `patch`
   * applies only while the slice is still `expected.status` with at most `expected.maxFilledQty`
   * filled, so a change recorded after that writer's read is never overwritten. The slice as written,
   * or undefined when it had moved on (or does not exist).
   */
  async updateIf(
    clientOrderId: string,
    expected: { status: SliceStatus; maxFilledQty: number },
    patch: SliceUpdate,
  ): Promise<OrderSlice | undefined> {
    const row = await this.db
      .updateTable('order_slices')
      .set(this.row(clientOrderId, patch))
      .where('client_order_id', '=', clientOrderId)
      .where('status', '=', expected.status)
      .where('filled_qty', '<=', expected.maxFilledQty)
      .returningAll()
      .executeTakeFirst();
    return row ? toSlice(row) : undefined;
  }

  private row(clientOrderId: string, patch: SliceUpdate) {
    return {
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.qty !== undefined ? { qty: patch.qty } : {}),
      ...(patch.price !== undefined ? { price: patch.price } : {}),
      ...(patch.venueOrderId !== undefined ? { venue_order_id: patch.venueOrderId } : {}),
      ...(patch.filledQty !== undefined ? { filled_qty: patch.filledQty } : {}),
      ...(patch.avgPrice !== undefined ? { avg_price: patch.avgPrice } : {}),
      ...(patch.fills !== undefined ? { fills: toJsonText(patch.fills, `fills of ${clientOrderId}`) } : {}),
      ...(patch.detail !== undefined ? { detail: patch.detail } : {}),
      ...(patch.dueAt !== undefined ? { due_at: patch.dueAt } : {}),
      ...(patch.sentAt !== undefined ? { sent_at: patch.sentAt } : {}),
      updated_at: new Date(this.clock.now()),
    };
  }

  /**
   * The first `count` fills of the order went out (order and position events published). Never lowers
   * the count: announcements go out in the order their fills were recorded.
   */
  async markAnnounced(clientOrderId: string, count: number): Promise<void> {
    await this.db
      .updateTable('order_slices')
      .set({ announced_fills: sql<number>`greatest(announced_fills, ${count})` })
      .where('client_order_id', '=', clientOrderId)
      .execute();
  }

  /** This venue's orders with fills recorded but not announced, in the order they were recorded. */
  async withUnannouncedFills(): Promise<OrderSlice[]> {
    const rows = await this.db
      .selectFrom('order_slices')
      .selectAll()
      .where(sql<boolean>`announced_fills < jsonb_array_length(fills)`)
      .$if(this.venue !== undefined, (q) => q.where('exchange', '=', this.venue as string))
      .orderBy('created_at')
      .orderBy('slice')
      .execute();
    return rows.map(toSlice);
  }

  async get(clientOrderId: string): Promise<OrderSlice | undefined> {
    const row = await this.db
      .selectFrom('order_slices')
      .selectAll()
      .where('client_order_id', '=', clientOrderId)
      .executeTakeFirst();
    return row ? toSlice(row) : undefined;
  }

  /**
   * The slices of one intent, in slice order: a TWAP's, or a close sent in chunks. Of this venue's only,
   * when it has one: a slice of another account's is never taken for one of its own to send or count.
   */
  async ofIntent(intentId: string): Promise<OrderSlice[]> {
    const rows = await this.db
      .selectFrom('order_slices')
      .selectAll()
      .where('intent_id', '=', intentId)
      .$if(this.venue !== undefined, (q) => q.where('exchange', '=', this.venue as string))
      .orderBy('slice')
      .execute();
    return rows.map(toSlice);
  }

  /** The order whose fills hold a venue trade of this market, if one does (a trade is booked once). */
  async holderOfTrade(exchange: string, symbol: string, tradeId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('order_slices')
      .select('client_order_id')
      .where('exchange', '=', exchange)
      .where('symbol', '=', symbol)
      .where(sql<boolean>`fills @> ${JSON.stringify([{ tradeId }])}::jsonb`)
      .executeTakeFirst();
    return row?.client_order_id;
  }

  /** Planned slices due by `now`, oldest first. */
  async due(now: number): Promise<OrderSlice[]> {
    const rows = await this.db
      .selectFrom('order_slices')
      .selectAll()
      .where('status', '=', 'planned')
      .where('due_at', '<=', now)
      .$if(this.venue !== undefined, (q) => q.where('exchange', '=', this.venue as string))
      .orderBy('due_at')
      .orderBy('slice')
      .execute();
    return rows.map(toSlice);
  }

  async withStatus(statuses: readonly SliceStatus[]): Promise<OrderSlice[]> {
    if (statuses.length === 0) return [];
    const rows = await this.db
      .selectFrom('order_slices')
      .selectAll()
      .where('status', 'in', [...statuses])
      .$if(this.venue !== undefined, (q) => q.where('exchange', '=', this.venue as string))
      .orderBy('created_at')
      .orderBy('slice')
      .execute();
    return rows.map(toSlice);
  }

  /**
   * The slices of one venue (of one of its markets, given `symbol`) in the order they were recorded:
   * its positions are folded from their fills. Reads no other account's history.
   */
  async ofVenue(exchange: string, symbol?: string): Promise<OrderSlice[]> {
    const rows = await this.db
      .selectFrom('order_slices')
      .selectAll()
      .where('exchange', '=', exchange)
      .$if(symbol !== undefined, (q) => q.where('symbol', '=', symbol as string))
      .orderBy('created_at')
      .orderBy('slice')
      .execute();
    return rows.map(toSlice);
  }

  /** Every slice in the order it was recorded: positions are folded from their fills. */
  async all(): Promise<OrderSlice[]> {
    const rows = await this.db
      .selectFrom('order_slices')
      .selectAll()
      .orderBy('created_at')
      .orderBy('slice')
      .execute();
    return rows.map(toSlice);
  }
}

const nullableNumber = (v: string | number | null): number | null => (v === null ? null : toNumber(v));

function toSlice(row: Selectable<OrderSlicesTable>): OrderSlice {
  return {
    clientOrderId: row.client_order_id,
    intentId: row.intent_id,
    slice: row.slice,
    strategy: row.strategy,
    correlationId: row.correlation_id,
    exchange: row.exchange,
    symbol: row.symbol,
    side: row.side === 'sell' ? 'sell' : 'buy',
    type: row.type === 'limit' ? 'limit' : 'market',
    qty: toNumber(row.qty),
    price: nullableNumber(row.price),
    reduceOnly: row.reduce_only,
    status: row.status as SliceStatus,
    dueAt: toNumber(row.due_at),
    venueOrderId: row.venue_order_id,
    filledQty: toNumber(row.filled_qty),
    avgPrice: nullableNumber(row.avg_price),
    fills: Array.isArray(row.fills) ? row.fills : [],
    detail: row.detail,
    sentAt: row.sent_at === null ? null : toNumber(row.sent_at),
    announcedFills: row.announced_fills,
    acceptedTouch: row.accepted_touch === null ? null : toNumber(row.accepted_touch),
    expiresAt: row.expires_at === null ? null : toNumber(row.expires_at),
  };
}
