import { initialRiskState, LossStreakTracker, VirtualClock } from '@ballast/core';
import { createDb, type DbHandle, migrate, type NewClosedTrade } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosedTradeRecorder } from './closed-trade-recorder';
import { ClosedTrades } from './closed-trades';
import { RiskContext, type RiskManagerDeps } from './risk-context';

const T = Date.UTC(2026, 10, 2, 12);
const HOUR = 3_600_000;

describe('closed trades: a close whose record failed and is recorded after a later one', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;

  beforeAll(async () => {
    testDb = await createTestDatabase('risk_closed_trades');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
  });
  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('counts it in close-time order, as a restart folds the recorded trades', async () => {
    const recorder = new ClosedTradeRecorder(handle.db, new VirtualClock(T), false);
    // The first record of the earlier close fails (the database away for a moment); its redelivery records it.
    let failNext = true;
    const trades: RiskManagerDeps['trades'] = {
      all: () => recorder.all(),
      record: (t) => {
        if (!failNext) return recorder.record(t);
        failNext = false;
        return Promise.reject(new Error('connection terminated'));
      },
    };
    const ctx = new RiskContext({ trades } as RiskManagerDeps);
    ctx.state = initialRiskState(10_000, T);
    const closes = new ClosedTrades(ctx);
    const trade = (key: string, pnl: number, closeTime: number): NewClosedTrade => ({
      tradeKey: key,
      strategy: 'trend',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      pnl,
      fees: 1,
      entryTime: closeTime - HOUR,
      closeTime,
    });
    const loss = trade('close-loss', -40, T + HOUR);
    const win = trade('close-win', 25, T + 2 * HOUR);

    await expect(closes.record('close-loss', loss)).rejects.toThrow('connection terminated');
    await closes.record('close-win', win);
    await closes.record('close-loss', loss);

    // A loss then a win: no streak. Counted in arrival order it was a streak of one (a pause pending).
    expect(ctx.state.lossStreak).toEqual({ losses: 0, lastLossTime: null });
    // And the same as a restart reads it back from the two recorded trades.
    const recorded = await recorder.all();
    expect(recorded.map((t) => t.tradeKey).sort()).toEqual(['close-loss', 'close-win']);
    expect(LossStreakTracker.fromHistory(recorded).state).toEqual(ctx.state.lossStreak);
  });
});
