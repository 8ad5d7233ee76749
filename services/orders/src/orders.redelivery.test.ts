import {
  type BookUpdate,
  type Clock,
  type OrderEvent,
  type RiskDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { VenueError } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrders } from './testing/paper-orders';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask
// 58001.04 for 2.52 BTC), and the same recording with that best level taken (best ask 58001.06 for
// 0.000532 BTC, then 58004.92): a buy of 0.01 walks 0 bps into the first and about 0.6 bps into the
// second, so with MAX_SLIPPAGE_BPS 0.5 the guard passes on the first and trips on the second. Market
// rules come from the simulator's recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const clock: Clock = { now: () => Date.now() };
let fixture: VenueFixture;
let slices: OrderSliceRepository;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_redelivery' });
  slices = new OrderSliceRepository(fixture.handle.db, clock);
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-order-events',
  });
});

afterAll(async () => {
  await fixture?.close();
});

let updateId = 0;
/** The recorded book, or (`thinned`) the recording without its best ask, as a newer snapshot. */
function book(thinned: boolean): BookUpdate {
  const recorded = recordedDepthSnapshot('BTCUSDT', clock.now());
  updateId = Math.max(updateId, recorded.lastUpdateId) + 1;
  return { ...recorded, lastUpdateId: updateId, asks: thinned ? recorded.asks.slice(1) : recorded.asks };
}

async function start(env: Record<string, string>) {
  const paper = await startPaperOrders(fixture, {
    PAPER_INITIAL_BALANCES: '{"USDT":20000}',
    MAX_SLIPPAGE_BPS: '0.5',
    TWAP_DURATION_MS: '600000',
    // The book published here stays the paper book: the venue's REST depth is the deep recording.
    ORDERS_BOOK_MAX_AGE_MS: '600000',
    ...env,
  });
  /** Publishes the book and waits until the paper venue (and its slippage check) reads it. */
  const useBook = async (thinned: boolean) => {
    await fixture.bus.publish(
      subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
      book(thinned),
    );
    const bestAsk = thinned ? 58001.06 : 58001.04;
    await waitFor(
      async () => (await paper.service.venue.orderBook('BTC-USDT')).asks[0]?.[0] === bestAsk,
      `the ${thinned ? 'thinned' : 'recorded'} book in use`,
    );
  };
  return { ...paper, useBook };
}

const decide = (decision: RiskDecision) => fixture.bus.publish(subject(Subjects.riskDecision, {}), decision);
const slicesOf = async (intentId: string) => (await slices.all()).filter((s) => s.intentId === intentId);
const eventsOf = (intentId: string, status: OrderEvent['status']) =>
  events.filter((e) => e.intentId === intentId && e.status === status);

// A redelivery (its ack lost, or a restart before the ack) is the same decision delivered again: here it
// is published again, which the orders service cannot tell apart. Decisions are handled in order, so
// once the marker decided after it is recorded, the repeat was handled.
describe('orders: a risk decision delivered again adds nothing', () => {
  it('plans no TWAP beside the direct order its first delivery filled, though the book has thinned', {
    timeout: 60_000,
  }, async () => {
    const paper = await start({ SLIPPAGE_ACTION: 'twap' });
    try {
      await paper.useBook(false);
      const decision = approvedBuy('redeliver-direct');
      await decide(decision);
      await waitFor(() => eventsOf('redeliver-direct', 'filled')[0], 'the direct order filled');

      await paper.useBook(true);
      await decide(decision);
      await decide(approvedBuy('redeliver-direct-marker'));
      // The marker shows what the thinned book makes of a new decision: a TWAP.
      await waitFor(
        async () => (await slicesOf('redeliver-direct-marker')).length === 5,
        'the marker planned',
      );

      expect((await slicesOf('redeliver-direct')).map((s) => [s.slice, s.qty, s.status])).toEqual([
        [0, 0.01, 'filled'],
      ]);
      expect(eventsOf('redeliver-direct', 'filled')).toHaveLength(1);
    } finally {
      await paper.stop();
    }
  });

  it('sends nothing for a decision its first delivery refused, once the book would take it', {
    timeout: 60_000,
  }, async () => {
    const paper = await start({ SLIPPAGE_ACTION: 'reject' });
    try {
      await paper.useBook(true);
      const decision = approvedBuy('redeliver-refused');
      await decide(decision);
      await waitFor(() => eventsOf('redeliver-refused', 'rejected')[0], 'the decision refused');
      // Risk frees the room the refused entry held; the book deepens again.

      await paper.useBook(false);
      await decide(decision);
      await decide(approvedBuy('redeliver-refused-marker'));
      await waitFor(() => eventsOf('redeliver-refused-marker', 'filled')[0], 'the marker filled');

      expect(eventsOf('redeliver-refused', 'rejected')).toMatchObject([{ reason: 'slippage', filledQty: 0 }]);
      expect(events.filter((e) => e.intentId === 'redeliver-refused' && e.status !== 'rejected')).toEqual([]);
      expect((await slicesOf('redeliver-refused')).map((s) => [s.slice, s.status, s.fills])).toEqual([
        [0, 'rejected', []],
      ]);
    } finally {
      await paper.stop();
    }
  });
});

// Paper takes a client id again once its order is closed, as Binance does: a slice sent again after it
// filled would fill again (a double position live), so paper is evidence that the manager never does it.
describe('orders: a send whose reply was lost after the paper venue filled it', () => {
  it('is looked up and recorded filled, never sent again', { timeout: 60_000 }, async () => {
    const paper = await start({ SLIPPAGE_ACTION: 'reject' });
    try {
      await paper.useBook(false);
      const venue = paper.service.venue;
      // The file's tests share one paper account.
      const btcBefore = (await venue.balances()).BTC ?? 0;
      const submit = venue.submit.bind(venue);
      const sent: string[] = [];
      venue.submit = async (request) => {
        sent.push(request.clientOrderId);
        const placed = await submit(request);
        if (sent.length === 1) throw new VenueError('network', 'the reply was lost');
        return placed;
      };
      await decide(approvedBuy('lost-reply'));
      await waitFor(() => eventsOf('lost-reply', 'filled')[0], 'the buy recorded filled');
      await decide(approvedBuy('lost-reply-marker'));
      await waitFor(() => eventsOf('lost-reply-marker', 'filled')[0], 'the marker filled');

      const [filled] = eventsOf('lost-reply', 'filled');
      const [marker] = eventsOf('lost-reply-marker', 'filled');
      expect(sent).toEqual([filled?.clientOrderId, marker?.clientOrderId]);
      expect(eventsOf('lost-reply', 'filled')).toHaveLength(1);
      expect(filled).toMatchObject({ filledQty: 0.01 });
      // Two buys of 0.01, each paying 0.1 % of what it received in BTC: one fill each.
      expect((await venue.balances()).BTC).toBeCloseTo(btcBefore + 0.01998, 12);
    } finally {
      await paper.stop();
    }
  });
});

const expiringAt = (decision: RiskDecision, expiresAt: number): RiskDecision =>
  decision.approved ? { ...decision, intent: { ...decision.intent, expiresAt } } : decision;

// Risk reserves an approved entry until its expiresAt (RISK_PENDING_TTL_MS): orders down or behind past
// that would otherwise buy it late, at another price and beside entries risk has approved since.
describe('orders: an approval that arrives after it expired', () => {
  it('is refused `expired` and nothing is sent; one that filled before it expired is a repeat when delivered again', {
    timeout: 60_000,
  }, async () => {
    const paper = await start({ SLIPPAGE_ACTION: 'reject' });
    try {
      await paper.useBook(false);
      await decide(expiringAt(approvedBuy('expired-late'), clock.now() - 60_000));
      const refused = await waitFor(
        () => eventsOf('expired-late', 'rejected')[0],
        'the late approval refused',
      );
      expect(refused).toMatchObject({ reason: 'expired', filledQty: 0 });
      expect(refused.detail).toMatch(/arrived \d+ ms later/);
      expect((await slicesOf('expired-late')).map((s) => [s.slice, s.status, s.fills])).toEqual([
        [0, 'rejected', []],
      ]);

      const expiresAt = clock.now() + 1_000;
      const decision = expiringAt(approvedBuy('expired-after-fill'), expiresAt);
      await decide(decision);
      await waitFor(() => eventsOf('expired-after-fill', 'filled')[0], 'the timely approval filled');
      await waitFor(() => clock.now() > expiresAt, 'its expiry passed');
      await decide(decision);
      await decide(approvedBuy('expired-marker'));
      await waitFor(() => eventsOf('expired-marker', 'filled')[0], 'the marker filled');
      expect(eventsOf('expired-after-fill', 'rejected')).toEqual([]);
      expect((await slicesOf('expired-after-fill')).map((s) => [s.slice, s.status])).toEqual([[0, 'filled']]);
    } finally {
      await paper.stop();
    }
  });
});
