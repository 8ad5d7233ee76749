import { createDb, type DbHandle, migrate, ProtectiveStopRepository } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHeldPositions } from './held-positions';

const clock = { now: () => Date.UTC(2024, 0, 1) };

/** A stops service record as protective_stops keeps it (its StopRecord), with what the case changes. */
async function saveStop(db: DbHandle['db'], symbol: string, state: Record<string, unknown>) {
  const key = { positionId: `binance:${symbol}`, exchange: 'binance', symbol };
  await new ProtectiveStopRepository(db, clock, { parse: (x: unknown) => x }).save(key, 'active', {
    ...key,
    side: 'long',
    stopSide: 'sell',
    qty: 0.02,
    entry: 58_000,
    stopPrice: 57_400,
    clientOrderId: `bl-s-${symbol}`,
    seq: 1,
    verified: true,
    ladder: { levels: [], taken: 0 },
    closing: null,
    ...state,
  });
}

describe('readHeldPositions', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  beforeAll(async () => {
    testDb = await createTestDatabase('risk_held_stops');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
  }, 60_000);
  afterAll(async () => {
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('reads no stop for a position whose stop could not be planned, nor for a stop left to cancel', async () => {
    await saveStop(handle.db, 'BTC-USDT', {});
    // Its stop price is its entry, a placeholder: the position has no stop.
    await saveStop(handle.db, 'ETH-USDT', {
      entry: 3_000,
      stopPrice: 3_000,
      clientOrderId: null,
      verified: false,
      unplanned: { correlationId: 'c-1' },
    });
    // A closed position's stop whose cancel failed: kept (qty 0) until cancelled, its price is no one's.
    await saveStop(handle.db, 'SOL-USDT', { qty: 0, entry: 150, stopPrice: 140 });
    const held = await readHeldPositions(handle.db, clock, async () => undefined);
    expect([...held.stops]).toEqual([['binance:BTC-USDT', 57_400]]);
  });
});
