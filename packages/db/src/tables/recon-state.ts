import type { Int8, Jsonb, Timestamptz } from '../column-types';

/** One row per venue: trade cursors, balance baseline and the last reconciliation status. */
export interface ReconStateTable {
  venue: string;
  cursors: Jsonb;
  baseline: Jsonb | null;
  /** reconciled | unreconciled | unknown */
  status: string;
  last_clean_at: Int8 | null;
  /** Epoch ms of the venue's first run: trades from before it are the account's history. */
  history_before: Int8 | null;
  /** Epoch ms of the balance read the baseline holds; null in rows stored before it was kept. */
  baseline_at: Int8 | null;
  updated_at: Timestamptz;
}

export const tableName = 'recon_state';

export type PartialDB = { [tableName]: ReconStateTable };
