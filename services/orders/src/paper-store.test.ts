import type { Clock } from '@ballast/contracts';
import type { WalkableBook } from '@ballast/core';
import { createDb, type DbHandle, migrate, PaperAccountRepository } from '@ballast/db';
import { PaperVenue, VenueError, type VenueOrderRequest } from '@ballast/exchange';
import { createTestDatabase, type TestDatabase } from '@ballast/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paperStore } from './paper-store';

const clock: Clock = { now: () => 1_700_000_000_000 };
// A hand-made book: the buy below takes 0.01 @ 60000 = 600 USDT, taker fee 0.1 % = 0.6 USDT.
const book: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 5]] };
const rules = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 5 };
const buy: VenueOrderRequest = {
  clientOrderId: 'bl-1',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  qty: 0.01,
  price: null,
  reduceOnly: false,
};
const AFTER_BUY = { USDT: 9399.4, BTC: 0.01 };

let testDb: TestDatabase;
let handle: DbHandle;
let repo: PaperAccountRepository;

beforeAll(async () => {
  testDb = await createTestDatabase('orders_paper_store');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  repo = new PaperAccountRepository(handle.db, clock);
  // The first write of an order of venue `flaky` fails inside PostgreSQL, as a dropped connection would.
  // A sequence is not rolled back with the failed transaction, so only that first write fails.
  await sql`CREATE SEQUENCE flaky_order_writes`.execute(handle.db);
  await sql`
    CREATE FUNCTION fail_first_flaky_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.venue = 'flaky' AND nextval('flaky_order_writes') = 1 THEN
        RAISE EXCEPTION 'connection reset while writing the order';
      END IF;
      RETURN NEW;
    END $$`.execute(handle.db);
  await sql`
    CREATE TRIGGER fail_first_flaky_order BEFORE INSERT ON paper_orders
    FOR EACH ROW EXECUTE FUNCTION fail_first_flaky_order()`.execute(handle.db);
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
});

// Venue order ids are unique across restarts, as the service's are (UUIDv7).
let n = 0;
function open(venue: string): Promise<PaperVenue> {
  return PaperVenue.open({
    venue,
    book: () => book,
    rules: () => rules,
    fees: { maker: 0.001, taker: 0.001, feesIn: 'quote' },
    store: paperStore(repo),
    clock,
    ids: () => `${venue}-${++n}`,
    initialBalances: { USDT: 10_000 },
  });
}

describe('paper account in PostgreSQL', () => {
  it('leaves balances unchanged in memory and storage when the order write fails, and the retry fills once', async () => {
    const paper = await open('flaky');
    const failed = await paper.submit(buy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(await paper.balances()).toEqual({ USDT: 10_000 });
    expect(await repo.loadBalances('flaky')).toEqual({ USDT: 10_000 });
    expect(await paper.fetchByClientId('BTC-USDT', 'bl-1')).toBeUndefined();
    expect(await paperStore(repo).loadOrders('flaky')).toEqual([]);
    // Retryable, so the order manager looks the client id up and sends again.
    expect(failed).toBeInstanceOf(VenueError);
    expect(failed).toMatchObject({ reason: 'network' });
    expect((failed as Error).message).toContain('connection reset while writing the order');

    const filled = await paper.submit(buy);
    expect(filled).toMatchObject({ status: 'filled', filledQty: 0.01, avgPrice: 60000 });
    expect(filled.fills).toEqual([
      expect.objectContaining({ price: 60000, qty: 0.01, fee: 0.6, liquidity: 'taker' }),
    ]);
    expect(await paper.balances()).toEqual(AFTER_BUY);
    expect(await repo.loadBalances('flaky')).toEqual(AFTER_BUY);
    // Stored with the time the venue took it: a print older than that fills nothing.
    expect(await paperStore(repo).loadOrders('flaky')).toEqual([{ ...filled, placedAt: clock.now() }]);
  });

  it('finds the order after a restart; a re-send under its filled client id is a new order, as on Binance', async () => {
    const first = await open('steady');
    const filled = await first.submit(buy);

    const restarted = await open('steady');
    expect(await restarted.fetchByClientId('BTC-USDT', 'bl-1')).toEqual(filled);
    expect(await restarted.balances()).toEqual(AFTER_BUY);
    // Paper is as unforgiving as the venue: only the order manager's look-up keeps a fill from repeating.
    const again = await restarted.submit(buy);
    expect(again).toMatchObject({ status: 'filled', filledQty: filled.filledQty });
    expect(await paperStore(repo).loadOrders('steady')).toEqual(
      [filled, again].map((o) => ({ ...o, placedAt: clock.now() })),
    );
    const third = await open('steady');
    expect(await third.fetchByClientId('BTC-USDT', 'bl-1')).toEqual(again);
    expect(await third.balances()).toEqual(await restarted.balances());
  });
});
