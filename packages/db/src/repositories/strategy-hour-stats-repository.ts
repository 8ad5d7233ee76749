import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { toNumber } from '../to-number';

/** One strategy's statistics for entries in one UTC hour. */
export interface StrategyHourStats {
  strategy: string;
  hourUtc: number;
  trades: number;
  expectancy: number;
}

/** The first key of the advisory locks below: the statistics' migration range, apart from any other lock. */
const RECOMPUTE_LOCK_SPACE = 300;

/**
 * Makes every other transaction that recomputes this strategy's rows wait until `trx` ends. Take it
 * after writing the closed trade and before reading the trades to recompute from: under READ
 * COMMITTED the next holder then reads after this transaction committed, so the last recompute to
 * write has seen every committed close, where two unserialised recomputes could each miss the other's
 * close and the later write would leave a stale aggregate.
 */
export async function lockStrategyHourStats(trx: Transaction<Database>, strategy: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${RECOMPUTE_LOCK_SPACE}, hashtext(${strategy}))`.execute(trx);
}

export class StrategyHourStatsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Writes or replaces each (strategy, hour) row. */
  async upsertMany(stats: readonly StrategyHourStats[], updatedAt: Date): Promise<void> {
    if (stats.length === 0) return;
    for (const s of stats) check(s);
    await this.db
      .insertInto('strategy_hour_stats')
      .values(
        stats.map((s) => ({
          strategy: s.strategy,
          hour_utc: s.hourUtc,
          trades: s.trades,
          expectancy: s.expectancy,
          updated_at: updatedAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['strategy', 'hour_utc']).doUpdateSet((eb) => ({
          trades: eb.ref('excluded.trades'),
          expectancy: eb.ref('excluded.expectancy'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  /** Replaces the whole table with these rows, atomically (a seed from a backtest). */
  async replaceAll(stats: readonly StrategyHourStats[], updatedAt: Date): Promise<void> {
    for (const s of stats) check(s);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('strategy_hour_stats').execute();
      await new StrategyHourStatsRepository(trx).upsertMany(stats, updatedAt);
    });
  }

  /** Every row, ordered by strategy and hour. */
  async all(): Promise<StrategyHourStats[]> {
    const rows = await this.db
      .selectFrom('strategy_hour_stats')
      .select(['strategy', 'hour_utc', 'trades', 'expectancy'])
      .orderBy('strategy')
      .orderBy('hour_utc')
      .execute();
    return rows.map((r) => ({
      strategy: r.strategy,
      hourUtc: toNumber(r.hour_utc),
      trades: toNumber(r.trades),
      expectancy: toNumber(r.expectancy),
    }));
  }
}

function check(s: StrategyHourStats): void {
  if (!Number.isInteger(s.hourUtc) || s.hourUtc < 0 || s.hourUtc > 23)
    throw new DbError('invalid_value', `hourUtc must be an integer 0–23, got ${s.hourUtc}`);
  if (!Number.isInteger(s.trades) || s.trades < 0)
    throw new DbError('invalid_value', `trades must be a non-negative integer, got ${s.trades}`);
  if (!Number.isFinite(s.expectancy))
    throw new DbError('invalid_value', `expectancy must be finite, got ${s.expectancy}`);
}
