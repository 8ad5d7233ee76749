import type { Timestamptz } from '../column-types';

/**
 * Expectancy of each strategy's closed trades by the UTC hour they were entered, refreshed from closed
 * trades; the signals tier vetoes hours whose expectancy is negative.
 */
export interface StrategyHourStatsTable {
  strategy: string;
  /** 0–23. */
  hour_utc: number;
  trades: number;
  /** Mean result per trade in R. */
  expectancy: number;
  updated_at: Timestamptz;
}

export const tableName = 'strategy_hour_stats';

export type PartialDB = { [tableName]: StrategyHourStatsTable };
