import { MemoryBus, MemoryHub, randomIds } from '@ballast/bus';
import { readinessKeys, StoredLifecycle, VirtualClock } from '@ballast/core';
import {
  BotStateRepository,
  ClosedTradeRepository,
  createDb,
  type DbHandle,
  LiveOverrideRepository,
  migrate,
  migrations,
} from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleReview } from './lifecycle-review';

const DAY = 86_400_000;
const OVERRIDDEN_AT = Date.UTC(2026, 9, 1);

describe('risk lifecycle review of a strategy live by an override recorded before overrides expired', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  const clock = new VirtualClock(OVERRIDDEN_AT);

  beforeAll(async () => {
    testDb = await createTestDatabase('risk_lifecycle_review');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    // The schema as it stood when overrides had no expiry (0410 added the column, nullable).
    const migrator = new Migrator({
      db: handle.db,
      provider: { getMigrations: async () => ({ ...migrations }) },
      allowUnorderedMigrations: true,
    });
    expect((await migrator.migrateTo('0410_live_override_expiry')).error).toBeUndefined();
    // Promoted by an override the way the command then recorded it: `since` is the override's time.
    await new LiveOverrideRepository(handle.db).record({
      id: 'ov-old',
      strategy: 'legacy',
      reason: 'trial',
      by: 'ana',
      redCriteria: ['sharpe'],
      createdAt: OVERRIDDEN_AT,
      expiresAt: null,
    });
    await new BotStateRepository(handle.db, clock).set(readinessKeys.lifecycle('legacy'), {
      state: 'live',
      reason: 'live_healthy',
      detail: 'live performance within limits',
      since: OVERRIDDEN_AT,
    });
    await migrate(handle.db);
  });

  /** Binance's risk with the account at `equity`. */
  const reviewer = (equity: number) =>
    new LifecycleReview({
      bus: new MemoryBus({ source: 'risk', clock, ids: randomIds(clock), hub: new MemoryHub() }),
      db: handle.db,
      clock,
      venue: 'binance',
      equity: () => equity,
      intervalMs: 60_000,
      log: { warn() {} },
    });

  /** Records `strategy` live since now, promoted all green with binance's account at 10,000, and one binance close. */
  const liveWithLoss = async (strategy: string, pnl: number) => {
    await new BotStateRepository(handle.db, clock).set(readinessKeys.lifecycle(strategy), {
      state: 'live',
      reason: 'all_green',
      detail: 'every criterion is green',
      since: clock.now(),
      equityAtLive: { binance: 10_000 },
    });
    await new ClosedTradeRepository(handle.db).record({
      tradeKey: `${strategy}-loss`,
      strategy,
      exchange: 'binance',
      symbol: 'BTC-USDT',
      pnl,
      closeTime: clock.now() + 1,
    });
  };

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('demotes it (override_expired) 31 days after the override', async () => {
    clock.set(OVERRIDDEN_AT + 31 * DAY);
    const review = reviewer(10_000);
    const expiredAt = new Date(OVERRIDDEN_AT + 30 * DAY).toISOString();
    expect(await review.review('legacy')).toEqual({
      state: 'shadow',
      reason: 'override_expired',
      detail: `the override expired ${expiredAt} and the gate is not judged all green since`,
    });
    expect(
      (await new BotStateRepository(handle.db, clock).get(readinessKeys.lifecycle('legacy'), StoredLifecycle))
        ?.value.state,
    ).toBe('shadow');
    expect((await new LiveOverrideRepository(handle.db).latest('legacy'))?.expiresAt).toBe(
      OVERRIDDEN_AT + 30 * DAY,
    );
  });

  it("judges only its own venue's trades: another account's losses do not demote the strategy here", async () => {
    await new BotStateRepository(handle.db, clock).set(readinessKeys.lifecycle('two_venues'), {
      state: 'live',
      reason: 'all_green',
      detail: 'every criterion is green',
      since: clock.now(),
    });
    const trades = new ClosedTradeRepository(handle.db);
    // 20 % of this account's 10,000, but lost on okx, which binance's risk does not guard.
    await trades.record({
      tradeKey: 'okx-loss',
      strategy: 'two_venues',
      exchange: 'okx',
      symbol: 'BTC-USDT',
      pnl: -2_000,
      closeTime: clock.now() + 1,
    });
    await trades.record({
      tradeKey: 'binance-loss',
      strategy: 'two_venues',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      pnl: -100,
      closeTime: clock.now() + 2,
    });
    clock.advance(3);
    const review = reviewer(9_900);
    expect(await review.review('two_venues')).toBeNull();
  });

  it('reviews every strategy although one record cannot be read: a losing one after it is still demoted', async () => {
    const state = new BotStateRepository(handle.db, clock);
    // Sorted before the others, and not a lifecycle: its review throws.
    await state.set(readinessKeys.lifecycle('aaa_unreadable'), { state: 'paused' });
    await liveWithLoss('zz_losing', -2_000);
    clock.advance(2);
    const errors: unknown[] = [];
    const review = new LifecycleReview({
      bus: new MemoryBus({ source: 'risk', clock, ids: randomIds(clock), hub: new MemoryHub() }),
      db: handle.db,
      clock,
      venue: 'binance',
      equity: () => 8_000,
      intervalMs: 60_000,
      log: { warn() {}, error: (o) => void errors.push(o) },
    });
    review.start();
    await review.stop();
    expect((await state.get(readinessKeys.lifecycle('zz_losing'), StoredLifecycle))?.value).toMatchObject({
      state: 'shadow',
      reason: 'live_drawdown',
    });
    expect(errors).toEqual([expect.objectContaining({ strategy: 'aaa_unreadable' })]);
  });

  it('demotes a strategy whose position still open has lost 16 % of the account since it went live', async () => {
    await new BotStateRepository(handle.db, clock).set(readinessKeys.lifecycle('under_water'), {
      state: 'live',
      reason: 'all_green',
      detail: 'every criterion is green',
      since: clock.now(),
      equityAtLive: { binance: 10_000 },
    });
    clock.advance(1);
    const review = new LifecycleReview({
      bus: new MemoryBus({ source: 'risk', clock, ids: randomIds(clock), hub: new MemoryHub() }),
      db: handle.db,
      clock,
      venue: 'binance',
      equity: () => 8_400,
      openPnl: (strategy) => (strategy === 'under_water' ? -1_600 : 0),
      intervalMs: 60_000,
      log: { warn() {} },
    });
    expect(await review.review('under_water')).toEqual({
      state: 'shadow',
      reason: 'live_drawdown',
      detail: 'live drawdown 16.00% ≥ 15%',
    });
  });

  it("measures live drawdown from the equity recorded at promotion, not now's less its own results", async () => {
    // It loses 1,200 (12 %); another strategy 2,000 of the same account, now at 6,800.
    await liveWithLoss('promoted', -1_200);
    clock.advance(2);
    const review = reviewer(6_800);
    expect(await review.review('promoted')).toBeNull();
  });
});
