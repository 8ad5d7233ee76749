import type { Clock } from '@ballast/contracts';
import { createDb, type DbHandle, migrate, type NewSlice, OrderSliceRepository } from '@ballast/db';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntentPlans } from './intent-plans';

const clock: Clock = { now: () => 1_700_000_000_000 };
let testDb: TestDatabase;
let handle: DbHandle;
let plans: IntentPlans;
let table: OrderSliceRepository;

beforeAll(async () => {
  testDb = await createTestDatabase('orders_intent_plans');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  plans = new IntentPlans(handle.db, clock);
  table = new OrderSliceRepository(handle.db, clock);
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
});

/** Slice `slice` of `intentId` as one delivery plans it (`how` tells the deliveries' client ids apart). */
const slice = (intentId: string, how: string, slice: number, qty: number): NewSlice => ({
  clientOrderId: `bl-${intentId}-${how}-${slice}`,
  intentId,
  slice,
  strategy: 'trend',
  correlationId: null,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  qty,
  price: null,
  reduceOnly: false,
  dueAt: clock.now() + slice * 12_000,
});

const direct = (intentId: string) => [slice(intentId, 'direct', 0, 0.01)];
const twap = (intentId: string, n: number) =>
  Array.from({ length: n }, (_, i) => slice(intentId, `twap${n}`, i, 0.01 / n));

const rowsOf = async (intentId: string) =>
  (await table.all()).filter((s) => s.intentId === intentId).map((s) => s.clientOrderId);

describe('an intent is planned once', () => {
  it('records nothing of a TWAP planned for an intent sent direct before', async () => {
    expect(await plans.plan(direct('once-direct'), 'sending')).toBe(1);
    expect(await plans.plan(twap('once-direct', 5), 'planned')).toBe(0);
    expect(await rowsOf('once-direct')).toEqual(['bl-once-direct-direct-0']);
  });

  it('records nothing of a second TWAP with more slices than the first', async () => {
    expect(await plans.plan(twap('once-twap', 3), 'planned')).toBe(3);
    expect(await plans.plan(twap('once-twap', 5), 'planned')).toBe(0);
    expect(await rowsOf('once-twap')).toHaveLength(3);
  });

  it('of two concurrent deliveries, records one whole plan and nothing of the other', async () => {
    for (let round = 0; round < 10; round++) {
      const intentId = `race-${round}`;
      const [a, b] = await Promise.all([
        plans.plan(direct(intentId), 'sending'),
        plans.plan(twap(intentId, 5), 'planned'),
      ]);
      const rows = await rowsOf(intentId);
      expect([a, b].sort()).toEqual(a === 1 ? [0, 1] : [0, 5]);
      expect(rows).toEqual(
        a === 1
          ? direct(intentId).map((s) => s.clientOrderId)
          : twap(intentId, 5).map((s) => s.clientOrderId),
      );
    }
  });

  it('records a refusal as the rejected slice 0, after which the intent plans nothing', async () => {
    expect(await plans.refuse(slice('refused', 'direct', 0, 0.01), 'slippage: too thin')).toBe(true);
    expect(await plans.plan(twap('refused', 5), 'planned')).toBe(0);
    expect(await plans.refuse(slice('refused', 'direct', 0, 0.01), 'kill_switch: engaged')).toBe(false);
    const [only, ...rest] = (await table.all()).filter((s) => s.intentId === 'refused');
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ slice: 0, status: 'rejected', detail: 'slippage: too thin', fills: [] });
  });
});
