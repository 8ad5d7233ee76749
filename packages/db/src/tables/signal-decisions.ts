import type { Int8, Jsonb } from '../column-types';

/**
 * The first decision the signals service made for each candidate, stored before it is published: a
 * redelivered candidate is answered with it again instead of asking the agents a second time.
 */
export interface SignalDecisionsTable {
  /** The candidate's id (derived from what it is about, so a redelivery carries the same one). */
  candidate_id: string;
  /** The decision as published (checked against the contract's schema on load). */
  decision: Jsonb;
  /** Epoch ms (injected clock) when it was made. */
  decided_at: Int8;
}

export const tableName = 'signal_decisions';

export type PartialDB = { [tableName]: SignalDecisionsTable };
