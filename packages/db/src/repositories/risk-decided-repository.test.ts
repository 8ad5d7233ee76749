import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../create-db';
import { migrate } from '../migrate';
import { RiskDecidedRepository } from './risk-decided-repository';

describe('RiskDecidedRepository (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let repo: RiskDecidedRepository;

  beforeAll(async () => {
    testDb = await createTestDatabase('risk_decided');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    repo = new RiskDecidedRepository(handle.db);
  });

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  const rowCount = async () =>
    Number(
      (
        await handle.db
          .selectFrom('risk_decided_intents')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('keeps one row per intent: a save writes what changed and forgets what expired', async () => {
    await repo.save(
      'binance',
      [
        { intentId: 'a', decided: { verdict: 'approved', qty: 0.01 }, expiresAt: 1_000 },
        { intentId: 'b', decided: { verdict: 'denied' }, expiresAt: 2_000 },
      ],
      500,
    );
    await repo.save('bybit', [{ intentId: 'a', decided: { verdict: 'denied' }, expiresAt: 3_000 }], 500);
    // 'a' released: only its row is written again; 'b' stands as it was.
    await repo.save(
      'binance',
      [{ intentId: 'a', decided: { verdict: 'approved', released: true }, expiresAt: 1_000 }],
      600,
    );
    expect(await repo.live('binance', 600)).toEqual([
      { intentId: 'a', decided: { verdict: 'approved', released: true }, expiresAt: 1_000 },
      { intentId: 'b', decided: { verdict: 'denied' }, expiresAt: 2_000 },
    ]);
    expect(await repo.live('binance', 1_000)).toEqual([
      { intentId: 'b', decided: { verdict: 'denied' }, expiresAt: 2_000 },
    ]);
    expect(await rowCount()).toBe(3);
    // A save at 1,500 deletes binance's expired 'a'; bybit's is another venue's.
    await repo.save('binance', [], 1_500);
    expect(await rowCount()).toBe(2);
    await repo.clear('binance');
    expect(await repo.live('binance', 0)).toEqual([]);
    expect(await repo.live('bybit', 0)).toHaveLength(1);
  });

  it('rewrites a decision whose row had expired and forgets one saved already expired', async () => {
    await repo.save(
      'okx',
      [
        { intentId: 'a', decided: { verdict: 'approved' }, expiresAt: 1_000 },
        { intentId: 'b', decided: { verdict: 'denied' }, expiresAt: 2_000 },
      ],
      500,
    );
    // At 2,500 'a' and 'b' have expired: 'a' is forgotten, 'b' is written again and lives on.
    await repo.save('okx', [{ intentId: 'b', decided: { verdict: 'approved' }, expiresAt: 5_000 }], 2_500);
    await repo.save('okx', [{ intentId: 'c', decided: { verdict: 'denied' }, expiresAt: 4_000 }], 2_500);
    expect(await repo.live('okx', 0)).toEqual([
      { intentId: 'c', decided: { verdict: 'denied' }, expiresAt: 4_000 },
      { intentId: 'b', decided: { verdict: 'approved' }, expiresAt: 5_000 },
    ]);
    // 'c' saved with an expiry already past: its live row goes with the other expired ones.
    await repo.save('okx', [{ intentId: 'c', decided: { verdict: 'denied' }, expiresAt: 2_000 }], 3_000);
    expect(await repo.live('okx', 0)).toEqual([
      { intentId: 'b', decided: { verdict: 'approved' }, expiresAt: 5_000 },
    ]);
  });
});
