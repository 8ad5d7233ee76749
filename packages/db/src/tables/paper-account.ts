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
  client_order_id: string;
  order: Jsonb;
  updated_at: Timestamptz;
}

export type PartialDB = { paper_balances: PaperBalancesTable; paper_orders: PaperOrdersTable };
