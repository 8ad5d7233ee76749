import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../create-db';
import { DbError } from '../db-error';
import { migrate } from '../migrate';
import { type ConfigChange, ConfigChangeRepository, diffConfig } from './config-change-repository';

const T0 = Date.UTC(2024, 0, 1);

describe('config changes', () => {
  it('diffs two configurations leaf by leaf, arrays whole, absent leaves as null', () => {
    expect(
      diffConfig(
        { dailyLoss: 0.03, maxOpenPositions: 3, pauses: [{ after: 3 }], old: 1 },
        { dailyLoss: 0.02, maxOpenPositions: 3, pauses: [{ after: 4 }], fresh: { on: true } },
      ),
    ).toEqual([
      { path: 'dailyLoss', from: 0.03, to: 0.02 },
      { path: 'fresh.on', from: null, to: true },
      { path: 'old', from: 1, to: null },
      { path: 'pauses', from: [{ after: 3 }], to: [{ after: 4 }] },
    ]);
    expect(diffConfig({ a: 1 }, { a: 1 })).toEqual([]);
    expect(diffConfig({}, { state: 'live' })).toEqual([{ path: 'state', from: null, to: 'live' }]);
  });

  describe('on PostgreSQL', () => {
    let testDb: TestDatabase;
    let handle: DbHandle;

    beforeAll(async () => {
      testDb = await createTestDatabase('config_changes');
      handle = await createDb({ url: testDb.url, poolSize: 2 });
      await migrate(handle.db);
    });

    afterAll(async () => {
      await handle?.db.destroy();
      await testDb?.drop();
    });

    const change = (over: Partial<ConfigChange>): ConfigChange => ({
      id: 'c1',
      kind: 'lifecycle',
      subject: 'trend_pullback',
      actor: 'olivia',
      source: 'cli',
      reason: 'every criterion is green',
      diff: [{ path: 'state', from: 'shadow', to: 'live' }],
      figures: { closed_trades: 42, sharpe: 1.3 },
      createdAt: T0,
      ...over,
    });

    it('keeps who, when, why, the diff and the figures, newest first and per subject', async () => {
      const repo = new ConfigChangeRepository(handle.db);
      await repo.record(change({}));
      await repo.record(
        change({
          id: 'c2',
          kind: 'risk_limits',
          subject: 'risk',
          source: 'gateway',
          reason: 'tighter daily loss',
          diff: [{ path: 'dailyLoss', from: 0.03, to: 0.02 }],
          figures: null,
          createdAt: T0 + 1,
        }),
      );
      const all = await repo.recent(10);
      expect(all.map((c) => c.id)).toEqual(['c2', 'c1']);
      expect(all[1]).toEqual(change({}));
      expect(all[0]?.figures).toBeNull();
      expect((await repo.recent(10, 'trend_pullback')).map((c) => c.id)).toEqual(['c1']);
    });

    it('refuses a change without a reason or actor, or of an unknown kind', async () => {
      const repo = new ConfigChangeRepository(handle.db);
      await expect(repo.record(change({ id: 'x1', reason: ' ' }))).rejects.toBeInstanceOf(DbError);
      await expect(repo.record(change({ id: 'x2', actor: '' }))).rejects.toBeInstanceOf(DbError);
      await expect(repo.record(change({ id: 'x3', kind: 'other' as never }))).rejects.toBeInstanceOf(DbError);
      expect(await repo.recent(10, 'trend_pullback')).toHaveLength(1);
    });
  });
});
