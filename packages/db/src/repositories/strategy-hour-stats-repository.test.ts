import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../create-db';
import { DbError } from '../db-error';
import { migrate } from '../migrate';
import { StrategyHourStatsRepository } from './strategy-hour-stats-repository';

describe('StrategyHourStatsRepository (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let repo: StrategyHourStatsRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase('strategy_hour_stats');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    repo = new StrategyHourStatsRepository(handle.db);
  });

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('stores, replaces and reads back per-strategy hour statistics in order', async () => {
    await repo.upsertMany(
      [
        { strategy: 'trend_pullback', hourUtc: 8, trades: 30, expectancy: -0.25 },
        { strategy: 'mean_reversion', hourUtc: 3, trades: 12, expectancy: 0.4 },
      ],
      new Date(Date.UTC(2022, 9, 11)),
    );
    await repo.upsertMany(
      [{ strategy: 'trend_pullback', hourUtc: 8, trades: 31, expectancy: -0.5 }],
      new Date(Date.UTC(2022, 9, 12)),
    );
    expect(await repo.all()).toEqual([
      { strategy: 'mean_reversion', hourUtc: 3, trades: 12, expectancy: 0.4 },
      { strategy: 'trend_pullback', hourUtc: 8, trades: 31, expectancy: -0.5 },
    ]);
  });

  it('refuses an hour outside 0–23 with a typed error', async () => {
    const write = repo.upsertMany([{ strategy: 'x', hourUtc: 24, trades: 1, expectancy: 0 }], new Date(0));
    await expect(write).rejects.toBeInstanceOf(DbError);
    await expect(write).rejects.toMatchObject({ reason: 'invalid_value' });
  });
});
