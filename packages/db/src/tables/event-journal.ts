import type { Int8, Jsonb, TimestamptzWithDefault } from '../column-types';

/** Every bus envelope as it was seen, for audit and replay. The envelope id makes appends idempotent. */
export interface EventJournalTable {
  id: string;
  subject: string;
  type: string;
  version: number;
  /** Epoch milliseconds, as in the envelope. */
  event_time: Int8;
  emitted_at: Int8;
  source: string;
  correlation_id: string;
  causation_id: string | null;
  payload: Jsonb;
  recorded_at: TimestamptzWithDefault;
}

export const tableName = 'event_journal';

export type PartialDB = { [tableName]: EventJournalTable };
