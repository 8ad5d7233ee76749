import type { ColumnType } from 'kysely';
import type { Int8, Numeric } from '../column-types';

/** Closed trades' results: the loss-streak rule is rebuilt from these after a restart. */
export interface ClosedTradesTable {
  trade_key: string;
  strategy: string | null;
  exchange: string;
  symbol: string;
  /** Net of fees. */
  pnl: Numeric;
  /** Fees the trade paid, in the quote currency; 0 for trades recorded before fees were kept. */
  fees: ColumnType<string | number, number | undefined, number>;
  close_time: Int8;
  /** Epoch ms of the first entry fill; null when it was not recorded (see migration 0204). */
  entry_time: ColumnType<string | number | bigint | null, number | null | undefined, number | null>;
}

export const tableName = 'closed_trades';

export type PartialDB = { [tableName]: ClosedTradesTable };
