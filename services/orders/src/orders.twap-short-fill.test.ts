import { type Bus, BusError, publishThrough } from '@ballast/bus';
import {
  type Alert,
  type BookUpdate,
  type OrderCommand,
  type OrderEvent,
  type PositionEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { CATCH_UP_FIRST_SLICE, clientOrderId, sumLots } from '@ballast/core';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showPaperBook, startPaperOrdersOnClock } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';

// The paper book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (best bid
// 58001.03, best ask 58001.04), thinned where a test says; market rules come from the simulator's recorded
// exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz: BTCUSDT step 0.00001, minimum
// notional 10 USDT). A paper market order takes what the book holds and the venue cancels the rest, as
// Binance does. The service clock is the test's.
const clock = { t: Date.now(), now: () => clock.t };
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];
const alerts: Alert[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_twap_short_fill' });
  await recordOrderFlow(fixture, events, positions);
  await fixture.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 'test-alerts',
  });
});

afterAll(async () => {
  await fixture?.close();
});

const start = (wrapBus?: (bus: Bus) => Bus) =>
  startPaperOrdersOnClock(
    fixture,
    clock,
    { PAPER_INITIAL_BALANCES: '{"USDT":100000}', PAPER_FEES_IN: 'quote', MAX_SLIPPAGE_BPS: '200' },
    wrapBus,
  );
type Orders = Awaited<ReturnType<typeof start>>;

const looping = <T>(orders: Orders, condition: () => T | Promise<T>, what: string) =>
  waitFor(async () => {
    await orders.service.manager.tick();
    return condition();
  }, what);

const slices = async (intentId: string) =>
  (await new OrderSliceRepository(fixture.handle.db, clock).all())
    .filter((s) => s.intentId === intentId)
    .sort((a, b) => a.slice - b.slice);
const idOf = (intentId: string, slice: number) => clientOrderId('bl-', intentId, slice);
const over = (orders: Orders, id: string) =>
  looping(
    orders,
    () =>
      events.find((e) => e.clientOrderId === id && ['filled', 'cancelled', 'rejected'].includes(e.status)),
    `${id} over`,
  );
const publish = (command: OrderCommand) => fixture.bus.publish(subject(Subjects.orderCommand, {}), command);
const twap = (intentId: string, side: 'buy' | 'sell', qty: number, reduceOnly: boolean) =>
  marketCommand(intentId, side, qty, {
    reduceOnly,
    execution: { algo: 'twap', slices: 2, durationMs: 60_000 },
  } as Partial<Extract<OrderCommand, { kind: 'submit' }>>);

const recorded = () => recordedDepthSnapshot('BTCUSDT', clock.now());
/** The recorded book holding 0.005 BTC at its best bid and best ask, and nothing else. */
const thin = (): BookUpdate => {
  const book = recorded();
  const [bid] = book.bids;
  const [ask] = book.asks;
  return { ...book, bids: [[bid?.[0] ?? 0, 0.005]], asks: [[ask?.[0] ?? 0, 0.005]] };
};
const show = (orders: Orders, book: BookUpdate) =>
  showPaperBook(fixture, orders.service.venue, { ...book, time: clock.now() });

/** 0.02 BTC bought on the recorded book (the position holds it). */
async function long(orders: Orders, intentId: string) {
  await show(orders, recorded());
  await publish(marketCommand(intentId, 'buy', 0.02));
  await looping(orders, () => events.find((e) => e.intentId === intentId && e.status === 'filled'), 'bought');
  await waitFor(() => positions.find((p) => p.intentId === intentId && p.qty >= 0.02), 'the long');
}

const soldBy = async (intentId: string) => sumLots((await slices(intentId)).map((s) => s.filledQty));

describe('a TWAP market slice the venue ends part-filled', () => {
  it('has an exit fold what its slice left into the next slice: the whole position is sold', {
    timeout: 60_000,
  }, async () => {
    const orders = await start();
    try {
      await long(orders, 'sf-long-1');
      await show(orders, thin());
      await publish(twap('sf-exit-1', 'sell', 0.02, true));
      const first = await over(orders, idOf('sf-exit-1', 0));
      expect([first.status, first.qty, first.filledQty]).toEqual(['cancelled', 0.01, 0.005]);
      await show(orders, recorded());
      clock.t += 60_000;
      await over(orders, idOf('sf-exit-1', 1));
      expect(await soldBy('sf-exit-1')).toBe(0.02);
      await waitFor(
        () => positions.find((p) => p.intentId === 'sf-exit-1' && p.status === 'closed'),
        'the position closed',
      );
    } finally {
      await orders.stop();
    }
  });

  it('has an exit whose last slice ends part-filled send the rest as a catch-up slice', {
    timeout: 60_000,
  }, async () => {
    const orders = await start();
    try {
      await long(orders, 'sf-long-2');
      await publish(twap('sf-exit-2', 'sell', 0.02, true));
      await over(orders, idOf('sf-exit-2', 0));
      await show(orders, thin());
      clock.t += 60_000;
      const last = await over(orders, idOf('sf-exit-2', 1));
      expect([last.status, last.filledQty]).toEqual(['cancelled', 0.005]);
      await show(orders, recorded());
      clock.t += 60_000;
      await looping(
        orders,
        () => positions.find((p) => p.intentId === 'sf-exit-2' && p.status === 'closed'),
        'the position closed',
      );
      expect(await soldBy('sf-exit-2')).toBe(0.02);
      const catchUp = (await slices('sf-exit-2')).at(-1);
      expect([catchUp?.qty, catchUp?.status, catchUp?.reduceOnly]).toEqual([0.005, 'filled', true]);
    } finally {
      await orders.stop();
    }
  });

  it('has an entry alert what its slice left unfilled, and send no more than its slices asked', {
    timeout: 60_000,
  }, async () => {
    const orders = await start();
    try {
      await show(orders, recorded());
      // The book the slippage guard passed the slice on is gone by the time the slice reaches the venue.
      const { venue } = orders.service;
      const submit = venue.submit.bind(venue);
      venue.submit = async (order) => {
        if (order.clientOrderId === idOf('sf-entry', 0)) await show(orders, thin());
        return submit(order);
      };
      await publish(twap('sf-entry', 'buy', 0.02, false));
      const first = await over(orders, idOf('sf-entry', 0));
      expect([first.status, first.filledQty]).toEqual(['cancelled', 0.005]);
      const alert = await waitFor(() => alerts.find((a) => a.labels.intentId === 'sf-entry'), 'the alert');
      expect(alert).toMatchObject({
        kind: 'twap_unfilled',
        labels: { clientOrderId: idOf('sf-entry', 0), unfilledQty: '0.005' },
      });
      await show(orders, recorded());
      clock.t += 60_000;
      await over(orders, idOf('sf-entry', 1));
      // Risk freed the cancelled part of the entry's room: the rest is not bought behind its back.
      expect((await slices('sf-entry')).map((s) => [s.status, s.qty, s.filledQty])).toEqual([
        ['cancelled', 0.01, 0.005],
        ['filled', 0.01, 0.01],
      ]);
    } finally {
      await orders.stop();
    }
  });
});

// The service's TWAP interval (TWAP_DURATION_MS 60000 over TWAP_SLICES 5 by default): how long after it
// a close's rest, planned with no spacing of its own, goes out again.
const INTERVAL = 15_000;

const catchUps = async (intentId: string) =>
  (await slices(intentId)).filter((s) => s.slice >= CATCH_UP_FIRST_SLICE);

/** Once the thin book is gone an interval later: the catch-ups of `intentId` sent and filled. */
async function catchUpsFilled(orders: Orders, intentId: string) {
  await show(orders, recorded());
  clock.t += INTERVAL;
  await looping(
    orders,
    async () => (await catchUps(intentId)).every((s) => s.status === 'filled') || undefined,
    `the catch-ups of ${intentId} filled`,
  );
}

describe('a market close the venue ends part-filled', () => {
  it('sends the rest of a direct exit as a catch-up slice one interval later: the whole exit is sold', {
    timeout: 60_000,
  }, async () => {
    const orders = await start();
    try {
      await long(orders, 'sf-long-3');
      await show(orders, thin());
      await publish(marketCommand('sf-exit-3', 'sell', 0.02, { reduceOnly: true }));
      const first = await over(orders, 'bl-sf-exit-3');
      expect([first.status, first.qty, first.filledQty]).toEqual(['cancelled', 0.02, 0.005]);
      const [catchUp] = await waitFor(async () => {
        const planned = await catchUps('sf-exit-3');
        return planned.length > 0 ? planned : undefined;
      }, 'the catch-up planned');
      // Not into the same thin book at once: one interval later.
      expect([catchUp?.qty, catchUp?.status, catchUp?.reduceOnly, catchUp?.dueAt]).toEqual([
        0.015,
        'planned',
        true,
        clock.t + INTERVAL,
      ]);
      await catchUpsFilled(orders, 'sf-exit-3');
      expect(await soldBy('sf-exit-3')).toBe(0.02);
    } finally {
      await orders.stop();
    }
  });

  it('spaces the catch-up of a close split into chunks (all due at once) one interval after them', {
    timeout: 60_000,
  }, async () => {
    // The venue's largest market order 0.01 BTC: a close of 0.02 goes as two chunks, both due now.
    fixture.sim.tamper.changeFilter('BTCUSDT', 'MARKET_LOT_SIZE', { maxQty: '0.01000000' });
    const orders = await start();
    try {
      await show(orders, recorded());
      for (const intentId of ['sf-long-4a', 'sf-long-4b']) {
        await publish(marketCommand(intentId, 'buy', 0.01));
        await over(orders, `bl-${intentId}`);
      }
      await show(orders, thin());
      await publish(marketCommand('sf-exit-4', 'sell', 0.02, { reduceOnly: true }));
      await over(orders, 'bl-sf-exit-4');
      await over(orders, idOf('sf-exit-4', 1));
      const chunks = (await slices('sf-exit-4')).filter((s) => s.slice < CATCH_UP_FIRST_SLICE);
      expect(chunks.map((s) => [s.qty, s.filledQty, s.dueAt])).toEqual([
        [0.01, 0.005, chunks[0]?.dueAt],
        [0.01, 0.005, chunks[0]?.dueAt],
      ]);
      const planned = await catchUps('sf-exit-4');
      expect(planned.length).toBeGreaterThan(0);
      for (const s of planned) expect(s.dueAt).toBeGreaterThanOrEqual(clock.t + INTERVAL);
      await catchUpsFilled(orders, 'sf-exit-4');
      expect(await soldBy('sf-exit-4')).toBe(0.02);
    } finally {
      await orders.stop();
      fixture.sim.tamper.changeFilter('BTCUSDT', 'MARKET_LOT_SIZE', { maxQty: '100.05381873' });
    }
  });
});

describe('a part-filled exit slice whose end the bus refused to announce (NATS unreachable for a moment)', () => {
  it('still has its rest planned: the next slice sells it, the whole exit is sold', {
    timeout: 60_000,
  }, async () => {
    const endOf = idOf('sf-exit-5', 0);
    let refused = 0;
    const orders = await start((inner) =>
      publishThrough(inner, async (on, payload, options) => {
        const event = payload as OrderEvent;
        const ends = on.family.name === Subjects.orderEvent.name && event.clientOrderId === endOf;
        if (ends && event.status === 'cancelled' && refused === 0) {
          refused++;
          throw new BusError('transport', 'publish failed: NATS unreachable (test)');
        }
        return inner.publish(on, payload, options);
      }),
    );
    try {
      await long(orders, 'sf-long-5');
      await show(orders, thin());
      await publish(twap('sf-exit-5', 'sell', 0.02, true));
      await waitFor(async () => refused > 0 || undefined, 'the end refused');
      const first = await over(orders, endOf);
      expect([first.status, first.qty, first.filledQty]).toEqual(['cancelled', 0.01, 0.005]);
      await show(orders, recorded());
      clock.t += 60_000;
      await over(orders, idOf('sf-exit-5', 1));
      expect((await slices('sf-exit-5')).map((s) => [s.status, s.qty, s.filledQty])).toEqual([
        ['cancelled', 0.01, 0.005],
        ['filled', 0.015, 0.015],
      ]);
    } finally {
      await orders.stop();
    }
  });
});
