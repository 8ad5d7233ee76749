import {
  type Clock,
  type ControlAck,
  derivedId,
  type Envelope,
  type OrderEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { applyControl, KILL_RELEASED } from '@ballast/core';
import { BotStateRepository, type NewSlice, OrderSliceRepository } from '@ballast/db';
import { CcxtStopVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { KillStore } from '@ballast/service-kit';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersOnVenue, simClient } from './testing/sim-client';
import { startSimOrders } from './testing/sim-orders';

// The simulator replays binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json as its book and
// the recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as filters.
// A protective stop is a real STOP_LOSS_LIMIT on the simulator's account, placed through CcxtStopVenue
// as the stops service places it and under its client id: the venue lists it among the open orders,
// and it locks the coins it would sell.
const API_KEY = 'kill-key';
const SECRET = 'kill-secret';
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
let slices: OrderSliceRepository;
const events: Array<Envelope<OrderEvent>> = [];
const acks: ControlAck[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_kill',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  slices = new OrderSliceRepository(fixture.handle.db, clock);
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m), {
    durable: 'test-kill-events',
  });
  await fixture.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
    durable: 'test-kill-acks',
  });
});

afterAll(() => fixture?.close());

const startOrders = () => startSimOrders(fixture, { apiKey: API_KEY, secret: SECRET }, { TICK_MS: '50' });

/** The order events published for one order, of one status. */
const eventsOf = (clientOrderId: string, status: OrderEvent['status']) =>
  events.filter((e) => e.payload.clientOrderId === clientOrderId && e.payload.status === status);

/** Publishes a control command and returns the orders service's acknowledgement of it. */
async function control(command: 'kill' | 'resume', flatten = false): Promise<ControlAck> {
  const sent =
    command === 'kill'
      ? await fixture.bus.publish(subject(Subjects.kill, {}), {
          flatten,
          reason: 'test kill',
          requestedBy: 'test',
        })
      : await fixture.bus.publish(subject(Subjects.resume, {}), {
          reason: 'test resume',
          requestedBy: 'test',
          confirm: true,
        });
  return waitFor(
    () => acks.find((a) => a.commandId === sent.id && a.service === 'orders'),
    `the ${command} ack`,
  );
}

/** Waits until the order has exactly one `cancelled` event, and returns it. */
async function cancelledOnce(clientOrderId: string): Promise<Envelope<OrderEvent>> {
  const [event] = await waitFor(
    () =>
      eventsOf(clientOrderId, 'cancelled').length > 0 ? eventsOf(clientOrderId, 'cancelled') : undefined,
    `the cancellation of ${clientOrderId}`,
  );
  expect(eventsOf(clientOrderId, 'cancelled')).toHaveLength(1);
  if (!event) throw new Error(`no cancellation of ${clientOrderId}`);
  return event;
}

/** A slice cancelled unsent is announced first, then recorded `aborted` (a crash between repeats the announcement). */
const recordedAborted = (clientOrderId: string) =>
  waitFor(async () => (await slices.get(clientOrderId))?.status === 'aborted', `${clientOrderId} aborted`);

/** The kill engaged as the orders service saves it, with the service stopped. */
const killSaved = (reason: string) =>
  new KillStore(new BotStateRepository(fixture.handle.db, clock), 'orders').save(
    applyControl(
      KILL_RELEASED,
      {
        kind: 'kill',
        id: `kill-${reason}`,
        at: clock.now(),
        kill: { flatten: false, reason, requestedBy: 'test' },
      },
      clock.now(),
    ).state,
  );

/** An entry slice of `intentId` as the orders service records it from a risk decision, planned. */
const entrySlice = (intentId: string, slice: number, over: Partial<NewSlice> = {}): NewSlice => ({
  clientOrderId: `bl-${intentId}-${slice}`,
  intentId,
  slice,
  strategy: 'trend',
  correlationId: `chain-${intentId}`,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  qty: 0.002,
  price: null,
  reduceOnly: false,
  dueAt: clock.now(),
  ...over,
});

const openOnVenue = async () =>
  (await simClient(fixture.sim, API_KEY, SECRET).fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId);

/** Releases any kill an earlier test left engaged, then buys `qty` BTC and waits for the fill. */
async function boughtFirst(intentId: string, qty: number): Promise<void> {
  await control('resume');
  await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand(intentId, 'buy', qty));
  await waitFor(() => eventsOf(`bl-${intentId}`, 'filled')[0], `the buy ${intentId} filled`);
}

describe('orders: every slice the kill keeps from the venue is announced cancelled', () => {
  it('refuses no repeat of an order it already has: a filled order is not announced rejected', async () => {
    const stop = await startOrders();
    try {
      const command = marketCommand('kill-repeat', 'buy', 0.001);
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), command);
      await waitFor(() => eventsOf('bl-kill-repeat', 'filled')[0], 'the order filled');
      await control('kill');
      // The same order again (a redelivery after its ack was lost), then a new one as a marker:
      // commands are handled in order, so once the marker is refused the repeat was handled.
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), command);
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('kill-marker', 'buy', 0.001),
      );
      await waitFor(() => eventsOf('bl-kill-marker', 'rejected')[0], 'the new order refused');
      expect(eventsOf('bl-kill-marker', 'rejected')[0]?.payload.reason).toBe('kill_switch');
      expect(eventsOf('bl-kill-repeat', 'rejected')).toEqual([]);
    } finally {
      // The next tests start without the kill, whatever happened here.
      await control('resume');
      await stop();
    }
  });

  it('publishes each aborted TWAP slice once as cancelled (kill_switch, what it filled), so risk frees its room', async () => {
    const stop = await startOrders();
    try {
      // Three slices over ten minutes: the first goes out at once, the other two wait.
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('kill-twap', 'buy', 0.006, {
          execution: { algo: 'twap', slices: 3, durationMs: 600_000 },
        }),
      );
      const twap = await waitFor(async () => {
        const all = (await slices.all()).filter((s) => s.intentId === 'kill-twap');
        return all.length === 3 && all[0]?.status === 'filled' ? all : undefined;
      }, 'the first slice filled');
      await control('kill');

      for (const slice of twap.slice(1)) {
        const event = await cancelledOnce(slice.clientOrderId);
        expect(event.payload).toEqual({
          status: 'cancelled',
          intentId: 'kill-twap',
          clientOrderId: slice.clientOrderId,
          venueOrderId: null,
          exchange: 'binance',
          symbol: 'BTC-USDT',
          side: 'buy',
          type: 'market',
          qty: slice.qty,
          filledQty: 0,
          avgPrice: null,
          fill: null,
          reason: 'kill_switch',
          detail: 'kill switch: test kill',
        });
        // In the order's chain, as its other events.
        expect(event.correlationId).toBe(eventsOf(twap[0]?.clientOrderId ?? '', 'filled')[0]?.correlationId);
        await recordedAborted(slice.clientOrderId);
      }
      // The filled slice is over: nothing is announced for it.
      expect(eventsOf(twap[0]?.clientOrderId ?? '', 'cancelled')).toEqual([]);

      await control('resume');
      expect(eventsOf(twap[1]?.clientOrderId ?? '', 'cancelled')).toHaveLength(1);
      expect(eventsOf(twap[2]?.clientOrderId ?? '', 'cancelled')).toHaveLength(1);
    } finally {
      await stop();
    }
  });

  it('announces at start the entries a kill saved before its restart left planned; exits stay planned', async () => {
    // What a crash right after the kill was saved leaves: the kill engaged, the entry's slices planned.
    await killSaved('crash kill');
    const entry = [
      entrySlice('kill-crash', 0),
      entrySlice('kill-crash', 1, { dueAt: clock.now() + 600_000 }),
    ];
    const exit = entrySlice('kill-crash-exit', 0, {
      strategy: null,
      side: 'sell',
      reduceOnly: true,
      dueAt: clock.now() + 3_600_000,
    });
    await slices.plan([...entry, exit]);

    const stop = await startOrders();
    try {
      for (const slice of entry) {
        const event = await cancelledOnce(slice.clientOrderId);
        expect(event.payload).toMatchObject({
          intentId: 'kill-crash',
          qty: 0.002,
          filledQty: 0,
          reason: 'kill_switch',
          detail: 'kill switch: crash kill',
        });
        expect(event.correlationId).toBe('chain-kill-crash');
        await recordedAborted(slice.clientOrderId);
      }
      // The loop sends exits during a kill; this one is not due yet.
      expect((await slices.get(exit.clientOrderId))?.status).toBe('planned');
      expect(eventsOf(exit.clientOrderId, 'cancelled')).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('sends the later slices of a reduce-only TWAP exit under way when the kill comes', {
    timeout: 60_000,
  }, async () => {
    const stop = await startOrders();
    try {
      await boughtFirst('kill-exit-entry', 0.02);
      // Four slices two seconds apart: the first goes out at once, the kill comes before the second.
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('kill-exit', 'sell', 0.02, {
          reduceOnly: true,
          execution: { algo: 'twap', slices: 4, durationMs: 6_000 },
        }),
      );
      const exit = await waitFor(async () => {
        const all = (await slices.all()).filter((s) => s.intentId === 'kill-exit');
        return all.length === 4 && all[0]?.status === 'filled' ? all : undefined;
      }, 'the first exit slice filled');
      await control('kill');
      expect((await slices.all()).filter((s) => s.intentId === 'kill-exit').map((s) => s.status)).toEqual([
        'filled',
        'planned',
        'planned',
        'planned',
      ]);

      const sold = await waitFor(
        async () => {
          const all = (await slices.all()).filter((s) => s.intentId === 'kill-exit');
          return all.every((s) => s.status === 'filled') ? all : undefined;
        },
        'every exit slice filled',
        { timeoutMs: 30_000 },
      );
      expect(sold.map((s) => s.filledQty)).toEqual(exit.map((s) => s.qty));
      for (const slice of exit) expect(eventsOf(slice.clientOrderId, 'cancelled')).toEqual([]);
    } finally {
      await control('resume');
      await stop();
    }
  });

  it('aborts at the resume an entry left planned during the kill instead of sending it', async () => {
    await killSaved('late kill');
    const stop = await startOrders();
    try {
      // An entry recorded as the kill came in (accepted before it, planned after its abort): due now,
      // and held back only by the kill.
      const late = entrySlice('kill-late', 0);
      await slices.plan([late]);
      await control('resume');
      const event = await cancelledOnce(late.clientOrderId);
      expect(event.payload).toMatchObject({ reason: 'kill_switch', filledQty: 0 });
      await recordedAborted(late.clientOrderId);
      const venue = await ordersOnVenue(fixture.sim, API_KEY, SECRET);
      expect(venue.map((o) => o.clientOrderId)).not.toContain(late.clientOrderId);
    } finally {
      await stop();
    }
  });

  it('sends an exit due behind an entry the kill holds back', async () => {
    const stop = await startOrders();
    try {
      await boughtFirst('kill-ahead-buy', 0.002);
      await control('kill');
      // Planned after the kill's abort, as an entry accepted while the kill came in; the exit is due
      // just after it.
      const entry = entrySlice('kill-ahead', 0);
      await slices.plan([entry]);
      const exit = entrySlice('kill-ahead-exit', 0, {
        strategy: null,
        side: 'sell',
        qty: 0.001,
        reduceOnly: true,
        dueAt: entry.dueAt + 1,
      });
      await slices.plan([exit]);
      await waitFor(() => eventsOf(exit.clientOrderId, 'filled')[0], 'the exit filled');
      expect((await slices.get(entry.clientOrderId))?.status).toBe('planned');
    } finally {
      await control('resume');
      await stop();
    }
  });

  it('cancels our resting order and keeps the protective stop; with flatten, closes past the stop', {
    timeout: 60_000,
  }, async () => {
    const stopId = `bl-s${derivedId('binance:BTC-USDT:long', 1)}`;
    const stop = await startOrders();
    try {
      await boughtFirst('ks-entry', 0.002);
      // Ours, resting far below the market: the kill cancels it.
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('ks-resting', 'buy', 0.001, { type: 'limit', price: 40000 }),
      );
      await waitFor(async () => (await slices.get('bl-ks-resting'))?.status === 'open', 'our limit resting');
      await new CcxtStopVenue({
        venue: 'binance',
        exchangeId: 'binance',
        baseUrl: fixture.sim.restUrl,
        credentials: { apiKey: API_KEY, secret: SECRET },
        limitOffsetBps: 50,
      }).placeStop({
        clientOrderId: stopId,
        symbol: 'BTC-USDT',
        side: 'sell',
        qty: 0.001,
        stopPrice: 50000,
        reduceOnly: false,
      });
      expect((await openOnVenue()).sort()).toEqual(['bl-ks-resting', stopId].sort());

      const kill = await control('kill');
      expect(kill.detail).toContain('cancelled 1 open orders');
      expect(await openOnVenue()).toEqual([stopId]);
      expect((await slices.get('bl-ks-resting'))?.status).toBe('cancelled');

      // With flatten the stop rests until the close goes out: on spot it locks coins the close sells.
      expect(await control('kill', true)).toMatchObject({ flat: true });
      expect(await openOnVenue()).toEqual([]);
    } finally {
      await control('resume');
      await stop();
    }
  });
});
