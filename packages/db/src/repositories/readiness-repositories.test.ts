import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../create-db';
import { DbError } from '../db-error';
import { migrate } from '../migrate';
import { LiveOverrideRepository } from './live-override-repository';
import { ServiceUptimeRepository } from './service-uptime-repository';
import { StopCoverageRepository } from './stop-coverage-repository';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

describe('readiness repositories (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;

  beforeAll(async () => {
    testDb = await createTestDatabase('readiness_repositories');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
  });

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('counts healthy uptime samples per service in a time range, ignoring a repeated sample', async () => {
    const repo = new ServiceUptimeRepository(handle.db);
    await repo.record({ service: 'risk', sampledAt: T0, healthy: true });
    await repo.record({ service: 'risk', sampledAt: T0, healthy: false });
    await repo.record({ service: 'risk', sampledAt: T0 + MIN, healthy: false });
    await repo.record({ service: 'orders', sampledAt: T0 + MIN, healthy: true });
    await repo.record({ service: 'orders', sampledAt: T0 + 10 * MIN, healthy: true });
    await repo.record({ service: 'stops', sampledAt: T0 + 2 * MIN, healthy: false });
    expect(await repo.healthyByService(T0, T0 + 5 * MIN, MIN)).toEqual({ risk: 1, orders: 1 });
    expect(await repo.healthyByService(T0 - 2 * MIN, T0 - MIN, MIN)).toEqual({});
  });

  it("counts a venue's process once per interval whether its samples name the venue or, written before they did, none", async () => {
    const repo = new ServiceUptimeRepository(handle.db);
    const T1 = T0 + 60 * MIN;
    // The upgrade's minute: the process wrote its sample both ways; then only binance's.
    await repo.record({ service: 'stops', sampledAt: T1, healthy: true });
    await repo.record({ service: 'stops', venue: 'binance', sampledAt: T1 + 1_000, healthy: true });
    await repo.record({ service: 'stops', sampledAt: T1 + MIN, healthy: true });
    await repo.record({ service: 'stops', venue: 'binance', sampledAt: T1 + 2 * MIN, healthy: true });
    await repo.record({ service: 'stops', venue: 'kraken', sampledAt: T1 + 3 * MIN, healthy: false });
    await repo.record({ service: 'features', sampledAt: T1 + 2 * MIN, healthy: true });
    const processes = ['features', 'signals', 'stops@binance', 'stops@kraken'];
    expect(await repo.healthyByProcess(T1, T1 + 5 * MIN, MIN, processes)).toEqual({
      features: 1,
      'stops@binance': 3,
      'stops@kraken': 2,
    });
    expect(await repo.healthyByProcess(T1, T1 + 5 * MIN, MIN, [])).toEqual({});
  });

  it('sums stop coverage samples, counting those with positions, and refuses more protected positions than open ones', async () => {
    const repo = new StopCoverageRepository(handle.db);
    await repo.record({ source: 'stops', sampledAt: T0, openPositions: 2, protectedPositions: 2 });
    await repo.record({ source: 'stops', sampledAt: T0 + MIN, openPositions: 3, protectedPositions: 2 });
    await repo.record({ source: 'stops', sampledAt: T0 + 3 * MIN, openPositions: 0, protectedPositions: 0 });
    expect(await repo.summary(T0, T0 + 3 * MIN)).toEqual({
      samples: 3,
      withPositions: 2,
      openPositions: 5,
      protectedPositions: 4,
    });
    expect(await repo.summary(T0 + 9 * MIN, T0 + 10 * MIN)).toEqual({
      samples: 0,
      withPositions: 0,
      openPositions: 0,
      protectedPositions: 0,
    });
    const bad = repo.record({
      source: 'stops',
      sampledAt: T0 + 2 * MIN,
      openPositions: 1,
      protectedPositions: 2,
    });
    await expect(bad).rejects.toMatchObject({ reason: 'invalid_value' });
  });

  it('records overrides with who, when, why, the red criteria and the expiry, and returns the latest', async () => {
    const repo = new LiveOverrideRepository(handle.db);
    const first = {
      id: 'o1',
      strategy: 'trend_pullback',
      reason: 'first',
      by: 'ana',
      redCriteria: ['uptime'],
      createdAt: T0,
      expiresAt: null,
    };
    await repo.record(first);
    await repo.record({
      ...first,
      id: 'o2',
      reason: 'second',
      redCriteria: ['uptime', 'sharpe'],
      createdAt: T0 + MIN,
      expiresAt: T0 + 30 * 1440 * MIN,
    });
    expect(await repo.latest('trend_pullback')).toEqual({
      ...first,
      id: 'o2',
      reason: 'second',
      redCriteria: ['uptime', 'sharpe'],
      createdAt: T0 + MIN,
      expiresAt: T0 + 30 * 1440 * MIN,
    });
    expect(await repo.latest('mean_reversion')).toBeUndefined();
    await expect(repo.record({ ...first, id: 'o3', reason: '  ' })).rejects.toBeInstanceOf(DbError);
  });
});
