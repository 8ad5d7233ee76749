import type { ColumnType, Generated } from 'kysely';
import type { Timestamptz } from '../column-types';

/** Every drift reconciliation found and what it did about it; never updated. */
export interface ReconLogTable {
  id: Generated<string>;
  venue: string;
  run_id: string;
  kind: string;
  drift_key: string;
  action: string;
  /** applied | failed | noted */
  outcome: string;
  evidence: string;
  before: ColumnType<unknown, string | undefined, string>;
  after: ColumnType<unknown, string | undefined, string>;
  created_at: Timestamptz;
}

export const tableName = 'recon_log';

export type PartialDB = { [tableName]: ReconLogTable };
