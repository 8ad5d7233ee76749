import { createDb, type DbHandle, migrate, ServiceUptimeRepository } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UptimeSampler } from './uptime-sampler';

let testDb: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  testDb = await createTestDatabase('uptime_sampler');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
});

describe('UptimeSampler', () => {
  it('records one sample per interval boundary, healthy or not, and the gate reads the healthy ones', async () => {
    let now = Date.UTC(2024, 0, 1, 0, 0, 30);
    let healthy = true;
    const sink = new ServiceUptimeRepository(handle.db);
    const sampler = new UptimeSampler({
      service: 'orders',
      clock: { now: () => now },
      intervalMs: 60_000,
      healthy: async () => healthy,
      sink,
      onError: (err) => {
        throw err;
      },
    });
    await sampler.sample();
    await sampler.sample(); // same minute: recorded once
    now += 60_000;
    healthy = false;
    await sampler.sample();
    now += 60_000;
    healthy = true;
    await sampler.sample();
    expect(await sink.healthyByService(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 1), 60_000)).toEqual({
      orders: 2,
    });
  });

  it("names a venue's process in its samples, so another venue's samples do not fill its intervals", async () => {
    const sink = new ServiceUptimeRepository(handle.db);
    const sampler = (venue: string) =>
      new UptimeSampler({
        service: 'stops',
        venue,
        clock: { now: () => Date.UTC(2024, 1, 1) },
        intervalMs: 60_000,
        healthy: async () => true,
        sink,
        onError: (err) => {
          throw err;
        },
      });
    await sampler('binance').sample();
    await sampler('kraken').sample();
    const hour = [Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 1, 1)] as const;
    expect(await sink.healthyByProcess(...hour, 60_000, ['stops@binance', 'stops@kraken'])).toEqual({
      'stops@binance': 1,
      'stops@kraken': 1,
    });
  });

  it('reports a failed write instead of throwing', async () => {
    const errors: unknown[] = [];
    const sampler = new UptimeSampler({
      service: 'risk',
      clock: { now: () => 0 },
      intervalMs: 60_000,
      healthy: async () => true,
      sink: { record: () => Promise.reject(new Error('database down')) },
      onError: (err) => void errors.push(err),
    });
    await expect(sampler.sample()).resolves.toBeUndefined();
    expect(String(errors[0])).toContain('database down');
  });
});
