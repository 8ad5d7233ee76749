import type { Clock } from '@ballast/contracts';
import { createDb, type DbHandle, migrate, type OrderSlice, PaperAccountRepository } from '@ballast/db';
import { btcSlice } from '@ballast/db/testing';
import type { OrderVenue } from '@ballast/exchange';
import { createTestDatabase, RECORDED_BTCUSDT_RULES, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNoPaperLeftovers, PaperLeftoversError } from './paper-leftovers';

// A database written before the venue kind was recorded (ADR 22): paper trading left its account under
// `binance`, then the account went live; nothing says which kind started last.
const clock: Clock = { now: () => 1_700_000_000_000 };
const venue = { id: 'binance', marketRules: async () => RECORDED_BTCUSDT_RULES } as unknown as OrderVenue;

let testDb: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  testDb = await createTestDatabase('orders_paper_leftovers');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  const paper = new PaperAccountRepository(handle.db, clock);
  await paper.saveOrder('binance', { clientOrderId: 'bl-p1', venueOrderId: 'paper-1' }, {}, { USDT: 9000 });
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
});

/** A filled 0.01 BTC buy as recorded, changed by `patch`. */
function slice(clientOrderId: string, patch: Partial<OrderSlice>): OrderSlice {
  return {
    ...btcSlice(clientOrderId, { intentId: clientOrderId, strategy: null, qty: 0.01, dueAt: 0 }),
    status: 'filled',
    venueOrderId: null,
    filledQty: 0.01,
    avgPrice: 58001.04,
    fills: [],
    detail: null,
    sentAt: null,
    announcedFills: 0,
    ...patch,
  };
}

const assertWith = (slices: OrderSlice[]) =>
  assertNoPaperLeftovers({ db: handle.db, clock, venue, slices: async () => slices });

describe('paper leftovers on a database from before the venue kind was recorded', () => {
  const paperBuy = slice('bl-p1', { venueOrderId: 'paper-1', side: 'buy' });
  const paperSell = slice('bl-p2', { venueOrderId: 'paper-1', side: 'sell', reduceOnly: true });
  const twapPlanned = slice('bl-t1', { slice: 1, status: 'planned', filledQty: 0, avgPrice: null });

  it("takes a live TWAP's slices still to send as live when the newest order sent was live", async () => {
    const liveSent = slice('bl-t0', { venueOrderId: 'venue-77', status: 'filled' });
    await expect(assertWith([paperBuy, paperSell, liveSent, twapPlanned])).resolves.toBeUndefined();
  });

  it("takes them as the paper account's when the newest order sent was paper's", async () => {
    const refused = await assertWith([paperBuy, twapPlanned]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PaperLeftoversError);
    expect(refused).toMatchObject({ orders: [{ clientOrderId: 'bl-t1', status: 'planned' }] });
  });
});
