import type { Generated } from 'kysely';
import type { Jsonb, Numeric, Timestamptz } from '../column-types';

/** The paper broker's account: balances per asset, and its orders as the paper venue sees them. */
export interface PaperBalancesTable {
  venue: string;
  asset: string;
  total: Numeric;
  updated_at: Timestamptz;
}

export interface PaperOrdersTable {
  venue: string;
  /** The key: a client id names a new order once the one before it is closed, as on Binance. */
  venue_order_id: string;
  client_order_id: string;
  /** Store order: the latest of several orders that shared a client id is the one it names now. */
  placed: Generated<string | number>;
  order: Jsonb;
  updated_at: Timestamptz;
}

export type PartialDB = { paper_balances: PaperBalancesTable; paper_orders: PaperOrdersTable };
