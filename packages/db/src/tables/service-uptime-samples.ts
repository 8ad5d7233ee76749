import type { ColumnType } from 'kysely';
import type { Int8 } from '../column-types';

/** One health observation of one service; the go-live gate's uptime is the healthy share of these. */
export interface ServiceUptimeSamplesTable {
  service: string;
  /** The venue of the process that wrote it (risk, orders, stops); '' for a service with none, and before 0412. */
  venue: ColumnType<string, string | undefined, string>;
  sampled_at: Int8;
  healthy: boolean;
}

export const tableName = 'service_uptime_samples';

export type PartialDB = { [tableName]: ServiceUptimeSamplesTable };
