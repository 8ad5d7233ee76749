import type { Int8, Jsonb } from '../column-types';

/**
 * Feature vectors acknowledged into a signals cycle that still waits for symbols, with the candidates
 * they proposed: a restart after a crash puts the cycle back, since no redelivery would. A cycle's rows
 * go once its candidates are published and decided.
 */
export interface SignalWaitingVectorsTable {
  /** The cycle: exchange, timeframe and bar open time (epoch ms). */
  exchange: string;
  timeframe: string;
  open_time: Int8;
  symbol: string;
  /** The vector's envelope as delivered (its candidates are caused by it; checked on load). */
  envelope: Jsonb;
  /** The candidates it proposed, unranked and unvetoed (checked on load). */
  candidates: Jsonb;
}

export const tableName = 'signal_waiting_vectors';

export type PartialDB = { [tableName]: SignalWaitingVectorsTable };
