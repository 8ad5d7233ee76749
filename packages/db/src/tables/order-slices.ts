import type { ColumnType } from 'kysely';
import type { Int8, Numeric, Timestamptz } from '../column-types';

/**
 * One order we send or will send: a direct order is one slice, a TWAP many. Recorded before the
 * venue hears of it; `client_order_id` (derived from intent and slice) is the idempotency key.
 */
export interface OrderSlicesTable {
  client_order_id: string;
  intent_id: string;
  slice: number;
  strategy: string | null;
  /** The asking message's correlation id (null: recorded before it was kept). */
  correlation_id: ColumnType<string | null, string | null | undefined, string | null>;
  exchange: string;
  symbol: string;
  side: string;
  type: string;
  qty: Numeric;
  price: Numeric | null;
  reduce_only: boolean;
  /** planned → sending → open | filled | cancelled | rejected; planned → aborted (kill switch). */
  status: string;
  due_at: Int8;
  venue_order_id: string | null;
  filled_qty: ColumnType<string | number, number | undefined, number>;
  avg_price: Numeric | null;
  fills: ColumnType<unknown, string | undefined, string>;
  detail: string | null;
  /** When the order was last signed and sent, ms (null: never sent, or sent before it was kept). */
  sent_at: ColumnType<string | number | bigint | null, number | null | undefined, number | null>;
  /** How many of `fills` have been announced; those past it are announced again at start. */
  announced_fills: ColumnType<number, number | undefined, number>;
  /** The touch an entry TWAP was accepted at; null: an exit, a direct order, or recorded before it was kept. */
  accepted_touch: ColumnType<string | number | null, number | null | undefined, number | null>;
  /** When risk's approval of the entry expires, ms; null: an exit, no approval, or recorded before it was kept. */
  expires_at: ColumnType<string | number | bigint | null, number | null | undefined, number | null>;
  created_at: Timestamptz;
  updated_at: Timestamptz;
}

export const tableName = 'order_slices';

export type PartialDB = { [tableName]: OrderSlicesTable };
