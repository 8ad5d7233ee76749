import { type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';

// The paper broker reports a write of its account that failed as `network` (nothing placed). Such an
// order cannot land late, as a live one timed out at the gateway can: it is sent again at once, not
// after the recvWindow (10 s by default) a live send is waited out for.
let fixture: VenueFixture;
const orderEvents: OrderEvent[] = [];
const positionEvents: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_paper_retry' });
  await recordOrderFlow(fixture, orderEvents, positionEvents);
});

afterAll(async () => {
  await fixture?.close();
});

/** The paper account's next order write fails in PostgreSQL (the store unreachable for one write). */
async function failNextPaperOrderWrite(): Promise<() => Promise<number>> {
  const db = fixture.handle.db;
  await sql`CREATE SEQUENCE paper_order_writes`.execute(db);
  await sql`CREATE FUNCTION fail_first_paper_order_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('paper_order_writes') = 1 THEN RAISE EXCEPTION 'paper store unreachable (test)'; END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER fail_first_paper_order_write BEFORE INSERT OR UPDATE ON paper_orders
    FOR EACH ROW EXECUTE FUNCTION fail_first_paper_order_write()`.execute(db);
  return async () => {
    const { rows } = await sql<{ last_value: string }>`SELECT last_value FROM paper_order_writes`.execute(db);
    return Number(rows[0]?.last_value);
  };
}

it('a paper order whose write failed (network) is sent again at once, not after the recvWindow', {
  timeout: 60_000,
}, async () => {
  const writes = await failNextPaperOrderWrite();
  const { stop } = await startPaperOrdersOnRecordedBook(fixture, {
    PAPER_INITIAL_BALANCES: '{"USDT":200000}',
    PAPER_FEES_IN: 'quote',
    ORDERS_RECV_WINDOW_MS: '10000',
    ORDERS_CLOCK_SKEW_MS: '1000',
  });
  try {
    const sentAt = Date.now();
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('paper-retry', 'buy', 0.01));
    await waitFor(
      () => orderEvents.find((e) => e.clientOrderId === 'bl-paper-retry' && e.status === 'filled'),
      'the paper buy to fill',
      { timeoutMs: 30_000 },
    );

    // Refused once, then written: filled well inside the window a live send is waited out for.
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(await writes()).toBe(2);
    expect(orderEvents.filter((e) => e.status === 'rejected')).toEqual([]);
    // The position event follows the fill's order event: waited for, not raced.
    await waitFor(() => positionEvents.length > 0, 'the position event');
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
  } finally {
    await stop();
  }
});
