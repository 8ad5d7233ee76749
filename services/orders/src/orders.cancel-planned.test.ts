import { type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { clientOrderId } from '@ballast/core';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersSettled } from './testing/orders-settled';
import { showPaperBook, startPaperOrdersOnClock } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best ask
// 58001.04), published as md.book; market rules come from the simulator's recorded exchangeInfo
// (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz: BTCUSDT step 0.00001). The service clock is
// the test's, so a TWAP's later slices fall due only when the test moves it.
const clock = { t: Date.now(), now: () => clock.t };
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_cancel_planned' });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(async () => {
  await fixture?.close();
});

const idOf = (intentId: string, slice: number) => clientOrderId('bl-', intentId, slice);

/** The paper orders service with a TWAP buy of `qty` in `slices` under way: its slice 0 filled. */
async function twapUnderWay(intentId: string, qty: number, slices: number) {
  const orders = await startPaperOrdersOnClock(fixture, clock, { PAPER_INITIAL_BALANCES: '{"USDT":100000}' });
  await showPaperBook(fixture, orders.service.venue, recordedDepthSnapshot('BTCUSDT', clock.now()));
  await fixture.bus.publish(
    subject(Subjects.orderCommand, {}),
    marketCommand(intentId, 'buy', qty, { execution: { algo: 'twap', slices, durationMs: 60_000 } }),
  );
  await waitFor(
    () => events.find((e) => e.clientOrderId === idOf(intentId, 0) && e.status === 'filled'),
    'slice 0 filled',
  );
  return orders;
}

describe('a cancel command naming an order not sent yet', () => {
  it('cancels what is left of its TWAP unsent, announced cancelled, and nothing of it goes out later', {
    timeout: 60_000,
  }, async () => {
    const orders = await twapUnderWay('cp-twap', 0.05, 5);
    try {
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
        kind: 'cancel',
        clientOrderId: idOf('cp-twap', 1),
        exchange: 'binance',
        symbol: 'BTC-USDT',
      });
      const cancelled = await waitFor(() => {
        const seen = events.filter((e) => e.intentId === 'cp-twap' && e.status === 'cancelled');
        return seen.length === 4 ? seen : undefined;
      }, 'slices 1-4 cancelled');
      expect(cancelled.map((e) => [e.clientOrderId, e.qty, e.filledQty, e.reason])).toEqual(
        [1, 2, 3, 4].map((i) => [idOf('cp-twap', i), 0.01, 0, null]),
      );

      // The whole plan's time passes: nothing more of the TWAP is sent.
      clock.t += 120_000;
      await orders.service.manager.tick();
      await ordersSettled(fixture);
      const stored = await new OrderSliceRepository(fixture.handle.db, clock).ofIntent('cp-twap');
      expect(stored.map((s) => s.status)).toEqual(['filled', 'aborted', 'aborted', 'aborted', 'aborted']);
      expect(events.filter((e) => e.intentId === 'cp-twap' && e.fill).map((e) => e.clientOrderId)).toEqual([
        idOf('cp-twap', 0),
      ]);
    } finally {
      await orders.stop();
    }
  });

  it('a cancel_all cancels every TWAP slice not sent yet, announced cancelled, and none goes out later', {
    timeout: 60_000,
  }, async () => {
    const orders = await twapUnderWay('ca-twap', 0.03, 3);
    try {
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), { kind: 'cancel_all', exchange: null });
      const cancelled = await waitFor(() => {
        const seen = events.filter((e) => e.intentId === 'ca-twap' && e.status === 'cancelled');
        return seen.length === 2 ? seen : undefined;
      }, 'slices 1-2 cancelled');
      expect(cancelled.map((e) => [e.clientOrderId, e.filledQty, e.detail])).toEqual(
        [1, 2].map((i) => [idOf('ca-twap', i), 0, 'cancelled before it was sent: cancel_all command']),
      );

      clock.t += 120_000;
      await orders.service.manager.tick();
      await ordersSettled(fixture);
      const stored = await new OrderSliceRepository(fixture.handle.db, clock).ofIntent('ca-twap');
      expect(stored.map((s) => s.status)).toEqual(['filled', 'aborted', 'aborted']);
    } finally {
      await orders.stop();
    }
  });
});
