import type { HourExpectancy } from '@ballast/core';
import { type Database, StrategyHourStatsRepository } from '@ballast/db';
import type { Kysely } from 'kysely';

/**
 * The hour expectancy table as the run found it (the config's `hourStats`, seeded at start), read once.
 * Nothing writes strategy_hour_stats during a run (risk's RISK_HOUR_STATS is off: a run must not learn
 * from its own trades), so the signals service's re-read after every close would only read these rows
 * back from PGlite again.
 */
export async function hourStatsAsFound(
  db: Kysely<Database>,
): Promise<{ all(): Promise<readonly HourExpectancy[]> }> {
  const rows: readonly HourExpectancy[] = await new StrategyHourStatsRepository(db).all();
  return { all: async () => rows };
}
