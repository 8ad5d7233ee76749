import type { Int8, Numeric } from '../column-types';

/** Closed trades' results: the loss-streak rule is rebuilt from these after a restart. */
export interface ClosedTradesTable {
  trade_key: string;
  strategy: string | null;
  exchange: string;
  symbol: string;
  pnl: Numeric;
  close_time: Int8;
}

export const tableName = 'closed_trades';

export type PartialDB = { [tableName]: ClosedTradesTable };
