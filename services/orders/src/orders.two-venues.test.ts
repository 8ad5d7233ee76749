import { type Clock, type OrderEvent, resumeCommand, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { type OrderVenue, VenueError, type VenueOrderRequest } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';
import { startOrdersService } from './testing/sim-orders';

// README (Scaling): "risk, orders, stops: one per trading account". A Binance account's orders service
// (paper, on the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json book) and a Bybit
// account's on one bus and one database. Bybit's venue records every order it is asked to send and
// refuses it, so an order of Binance's sent to Bybit shows.
const clock: Clock = { now: () => Date.now() };
let fixture: VenueFixture;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_two_venues' });
  await recordOrderFlow(fixture, events, []);
});

afterAll(async () => {
  await fixture?.close();
});

/** A Bybit venue that answers nothing but its rules and refuses (and records) every order sent to it. */
function bybitVenue(): OrderVenue & { sent: VenueOrderRequest[] } {
  const sent: VenueOrderRequest[] = [];
  const none = async () => {
    throw new VenueError('network', 'bybit is not reachable in this test');
  };
  return {
    id: 'bybit',
    landsLate: true,
    sent,
    marketRules: async () => ({ tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 }),
    orderBook: none,
    submit: async (order) => {
      sent.push(order);
      throw new VenueError('invalid_order', 'refused in this test');
    },
    fetchByClientId: async () => undefined,
    cancel: async () => undefined,
    openOrders: async () => [],
    balances: async () => ({}),
    tradesSince: async () => ({ trades: [], cursor: null }),
    withdrawalsEnabled: async () => undefined,
  };
}

const startBybit = (venue: OrderVenue) =>
  startOrdersService(
    fixture,
    { ORDERS_VENUE_KIND: 'paper', ORDERS_VENUE: 'bybit', TICK_MS: '20' },
    undefined,
    {
      venue,
    },
  );

/** A BTC-USDT limit buy planned due now on `exchange`, as an orders service records it. */
const planned = (exchange: string, clientOrderId: string) => ({
  clientOrderId,
  intentId: `in-${clientOrderId}`,
  slice: 0,
  strategy: 'test',
  correlationId: null,
  exchange,
  symbol: 'BTC-USDT',
  side: 'buy' as const,
  type: 'limit' as const,
  qty: 0.01,
  price: 50_000,
  reduceOnly: false,
  dueAt: clock.now(),
});

describe('an orders service per trading account on one bus and one database', () => {
  it("sends only its own venue's planned orders", { timeout: 60_000 }, async () => {
    const slices = new OrderSliceRepository(fixture.handle.db, clock);
    // Binance's orders service is down: its order waits in the table for it.
    await slices.plan([planned('binance', 'two-binance-waiting')]);
    await slices.plan([planned('bybit', 'two-bybit-own')]);
    const venue = bybitVenue();
    const bybit = await startBybit(venue);
    try {
      await waitFor(() => venue.sent.length > 0, "bybit's order sent");
      expect(venue.sent.map((o) => o.clientOrderId)).toEqual(['two-bybit-own']);
      expect((await slices.get('two-binance-waiting'))?.status).toBe('planned');
    } finally {
      await bybit.stop();
    }
  });

  it("each venue's decisions are executed by its own orders service, and a kill reaches both", {
    timeout: 60_000,
  }, async () => {
    const venue = bybitVenue();
    const binance = await startPaperOrdersOnRecordedBook(fixture, {
      PAPER_INITIAL_BALANCES: '{"USDT":20000}',
    });
    const bybit = await startBybit(venue);
    try {
      const ids = Array.from({ length: 8 }, (_, i) => `two-decision-${i}`);
      for (const id of ids) await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy(id));
      for (const id of ids)
        await waitFor(() => events.find((e) => e.intentId === id && e.status === 'filled'), `${id} filled`);
      expect(venue.sent).toEqual([]);

      await fixture.bus.publish(subject(Subjects.kill, {}), {
        reason: 'test',
        flatten: false,
        requestedBy: 'op',
      });
      await waitFor(() => binance.service.manager.killed && bybit.service.manager.killed, 'both killed');
      await fixture.bus.publish(
        subject(Subjects.resume, {}),
        resumeCommand({ reason: 'test', requestedBy: 'op' }),
      );
      await waitFor(() => !binance.service.manager.killed && !bybit.service.manager.killed, 'both resumed');
    } finally {
      await bybit.stop();
      await binance.stop();
    }
  });
});
