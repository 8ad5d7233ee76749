import { hourExpectancies, VirtualClock } from '@ballast/core';
import { createDb, type DbHandle, migrate, StrategyHourStatsRepository } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClosedTradeRecorder } from './closed-trade-recorder';

const at = (day: number, hour: number, minute = 0) => Date.UTC(2024, 4, day, hour, minute);
const trade = (
  key: string,
  entryTime: number | null,
  pnl: number,
  strategy: string | null = 'trend_pullback',
) => ({
  tradeKey: key,
  strategy,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  pnl,
  fees: 0.5,
  entryTime,
  closeTime: (entryTime ?? at(1, 0)) + 3 * 3_600_000,
});

describe('ClosedTradeRecorder (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let stats: StrategyHourStatsRepository;
  const clock = new VirtualClock(at(20, 12));

  beforeAll(async () => {
    testDb = await createTestDatabase('risk_closed_trade_recorder');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    stats = new StrategyHourStatsRepository(handle.db);
  });

  beforeEach(async () => {
    await handle.db.deleteFrom('closed_trades').execute();
    await handle.db.deleteFrom('strategy_hour_stats').execute();
  });

  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('keeps the closing strategy’s hour statistics current, and a redelivered close counts once', async () => {
    const recorder = new ClosedTradeRecorder(handle.db, clock);
    expect(await recorder.record(trade('t1', at(1, 8, 5), -12))).toBe(true);
    expect(await stats.all()).toEqual([
      { strategy: 'trend_pullback', hourUtc: 8, trades: 1, expectancy: -12 },
    ]);
    expect(await recorder.record(trade('t2', at(2, 8, 55), 3))).toBe(true);
    expect(await recorder.record(trade('t3', at(2, 14), 7))).toBe(true);
    const after = [
      { strategy: 'trend_pullback', hourUtc: 8, trades: 2, expectancy: -4.5 },
      { strategy: 'trend_pullback', hourUtc: 14, trades: 1, expectancy: 7 },
    ];
    expect(await stats.all()).toEqual(after);
    // The same close delivered again: nothing recorded, nothing counted.
    expect(await recorder.record(trade('t2', at(2, 8, 55), 3))).toBe(false);
    expect(await stats.all()).toEqual(after);
    expect((await recorder.all()).map((t) => [t.tradeKey, t.entryTime])).toEqual([
      ['t1', at(1, 8, 5)],
      ['t2', at(2, 8, 55)],
      ['t3', at(2, 14)],
    ]);
  });

  it('leaves hours without a closed trade as seeded, and ignores trades without strategy or entry time', async () => {
    const seeded = { strategy: 'trend_pullback', hourUtc: 3, trades: 40, expectancy: -2.5 };
    await stats.upsertMany([seeded], new Date(at(1, 0)));
    const recorder = new ClosedTradeRecorder(handle.db, clock);
    await recorder.record(trade('t1', null, -1));
    await recorder.record(trade('t2', at(1, 9), -1, null));
    expect(await stats.all()).toEqual([seeded]);
    await recorder.record(trade('t3', at(3, 9), 2));
    expect(await stats.all()).toEqual([
      seeded,
      { strategy: 'trend_pullback', hourUtc: 9, trades: 1, expectancy: 2 },
    ]);
  });

  it('records trades without touching the statistics when they are switched off (backtests)', async () => {
    const recorder = new ClosedTradeRecorder(handle.db, clock, false);
    expect(await recorder.record(trade('t1', at(1, 8), -12))).toBe(true);
    expect(await stats.all()).toEqual([]);
    expect(await recorder.all()).toHaveLength(1);
  });

  it('records a close in one statement, without a transaction, when the statistics are off', async () => {
    const transaction = vi.spyOn(handle.db, 'transaction');
    try {
      const recorder = new ClosedTradeRecorder(handle.db, clock, false);
      expect(await recorder.record(trade('t1', at(1, 8), -12))).toBe(true);
      expect(await recorder.record(trade('t1', at(1, 8), -12))).toBe(false);
      expect(transaction).not.toHaveBeenCalled();
      expect((await recorder.all()).map((t) => t.tradeKey)).toEqual(['t1']);
    } finally {
      transaction.mockRestore();
    }
  });

  it('keeps the statistics equal to every committed close when two instances record closes at once', async () => {
    // A second risk instance: its own pool, so its transactions interleave with the first's.
    const other = await createDb({ url: testDb.url, poolSize: 2 });
    try {
      const first = new ClosedTradeRecorder(handle.db, clock);
      const second = new ClosedTradeRecorder(other.db, clock);
      const recorders = [first, second];
      // Checked after every round: a later recompute can hide an earlier stale one.
      const mismatches: number[] = [];
      for (let round = 0; round < 30; round++) {
        // Two closes per instance per round, all of one strategy, so every pair of recomputes races.
        await Promise.all(
          recorders.flatMap((recorder, r) =>
            [0, 1].map((k) => {
              const n = round * 4 + r * 2 + k;
              return recorder.record(trade(`c${n}`, at(1 + (n % 9), n % 3, n % 60), (n % 7) - 3));
            }),
          ),
        );
        const fresh = hourExpectancies(await first.all());
        if (JSON.stringify(await stats.all()) !== JSON.stringify(fresh)) mismatches.push(round);
      }
      expect(mismatches).toEqual([]);
      expect(await first.all()).toHaveLength(120);
      expect(await stats.all()).toEqual(hourExpectancies(await second.all()));
    } finally {
      await other.db.destroy();
    }
  });
});
