import { SeededRandom, seededIds, VirtualClock } from '@ballast/core';
import { ConfigChangeRepository, createDb, type DbHandle, migrate } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLifecycle, recordLifecycle } from './strategy-lifecycle-record';

const DAY = 86_400_000;

describe('recordLifecycle against PostgreSQL', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  const clock = new VirtualClock(Date.UTC(2026, 10, 1));
  const ids = seededIds(clock, new SeededRandom(3));
  const deps = () => ({ db: handle.db, clock, ids });

  beforeAll(async () => {
    testDb = await createTestDatabase('kit_lifecycle_record');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
  });

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('never overwrites a demotion with a live step judged on the record read before it', async () => {
    const healthy = {
      state: 'live',
      reason: 'live_healthy',
      detail: 'live performance within limits',
    } as const;
    await recordLifecycle(deps(), {
      strategy: 'raced',
      stored: undefined,
      step: { state: 'live', reason: 'all_green', detail: 'every criterion is green' },
      actor: 'ana',
      source: 'cli',
      figures: {},
    });
    clock.advance(DAY);
    // A readiness run reads the record (live), and judges it while risk demotes the strategy.
    const read = await readLifecycle(deps(), 'raced');
    const demoted = await recordLifecycle(deps(), {
      strategy: 'raced',
      stored: read,
      step: { state: 'shadow', reason: 'live_drawdown', detail: 'live drawdown 16.00% ≥ 15%' },
      actor: 'risk',
      source: 'risk',
      figures: {},
    });
    expect(demoted?.state).toBe('shadow');
    const stale = await recordLifecycle(deps(), {
      strategy: 'raced',
      stored: read,
      step: healthy,
      actor: 'ana',
      source: 'cli',
      figures: {},
    });
    expect(stale).toBeUndefined();
    expect(await readLifecycle(deps(), 'raced')).toEqual({ ...demoted });
    const audit = await new ConfigChangeRepository(handle.db).recent(10, 'raced');
    expect(audit.map((a) => `${a.source}: ${a.reason}`)).toEqual([
      'risk: live_drawdown: live drawdown 16.00% ≥ 15%',
      'cli: all_green: every criterion is green',
    ]);
    // Judged on the record as it now stands, a step is written.
    expect(
      await recordLifecycle(deps(), {
        strategy: 'raced',
        stored: await readLifecycle(deps(), 'raced'),
        step: { state: 'shadow', reason: 'criteria_red', detail: 'red: paper_days' },
        actor: 'ana',
        source: 'cli',
        figures: {},
      }),
    ).toMatchObject({ state: 'shadow', reason: 'criteria_red', since: demoted?.since });
  });

  it('writes a first record only while none exists', async () => {
    const first = { state: 'shadow', reason: 'criteria_red', detail: 'red: sharpe' } as const;
    const change = {
      strategy: 'fresh',
      stored: undefined,
      actor: 'ana',
      source: 'cli',
      figures: {},
    } as const;
    expect(await recordLifecycle(deps(), { ...change, step: first })).toMatchObject(first);
    expect(
      await recordLifecycle(deps(), {
        ...change,
        step: { state: 'live', reason: 'all_green', detail: 'every criterion is green' },
      }),
    ).toBeUndefined();
    expect((await readLifecycle(deps(), 'fresh'))?.state).toBe('shadow');
  });
});
