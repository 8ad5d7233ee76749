import type { Int8 } from '../column-types';

/** How many open positions had a live protective stop at one moment, as the stops service saw it. */
export interface StopCoverageSamplesTable {
  source: string;
  sampled_at: Int8;
  open_positions: number;
  protected_positions: number;
}

export const tableName = 'stop_coverage_samples';

export type PartialDB = { [tableName]: StopCoverageSamplesTable };
