import { DEFAULT_MAX_DELIVER } from '@ballast/bus';
import {
  type Clock,
  type ControlAck,
  type KillCommand,
  type OrderEvent,
  type ResumeCommand,
  Subjects,
  subject,
} from '@ballast/contracts';
import { KILL_RELEASED } from '@ballast/core';
import { BotStateRepository, OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { KillStore } from '@ballast/service-kit';
import { marketCommand, outageStore, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrdersDeps } from './service';
import { simClient } from './testing/sim-client';
import { startSimOrders } from './testing/sim-orders';

// The kill switch of the orders service against real NATS and Postgres, trading the simulator's
// account (book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, filters from
// binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const API_KEY = 'kill-switch-key';
const SECRET = 'kill-switch-secret';
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
const acks: ControlAck[] = [];
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_kill_switch',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(
    subject(Subjects.controlAck, {}),
    (m) => {
      if (m.payload.service === 'orders') acks.push(m.payload);
    },
    { durable: 'test-kill-switch-acks' },
  );
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-kill-switch-events',
  });
});

afterAll(() => fixture?.close());

const stored = () => new KillStore(new BotStateRepository(fixture.handle.db, clock), 'orders');
beforeEach(() => stored().save(KILL_RELEASED));

const startOrders = (kill?: OrdersDeps['kill']) =>
  startSimOrders(
    fixture,
    { apiKey: API_KEY, secret: SECRET },
    { TICK_MS: '50' },
    undefined,
    kill ? { kill } : {},
  );

const killCommand: KillCommand = { flatten: false, reason: 'incident', requestedBy: 'op' };
const resumeCommand: ResumeCommand = { confirm: true, reason: 'all clear', requestedBy: 'op' };

const ackOf = (commandId: string) =>
  waitFor(() => acks.find((a) => a.commandId === commandId), `the orders ack of ${commandId}`);

/** Sends a new entry as an operator's order command; resolves with its refusal. */
async function entryRefused(intentId: string): Promise<OrderEvent> {
  await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand(intentId, 'buy', 0.001));
  return waitFor(
    () => events.find((e) => e.clientOrderId === `bl-${intentId}` && e.status === 'rejected'),
    `the refusal of ${intentId}`,
  );
}

describe('orders: a kill while the kill store is unreachable', () => {
  it('carries the kill out and answers it at once, and stores it once the store answers', async () => {
    const store = outageStore(stored());
    const stop = await startOrders(store);
    try {
      const kill = await fixture.bus.publish(subject(Subjects.kill, {}), killCommand);
      expect(await ackOf(kill.id)).toMatchObject({ command: 'kill', engaged: true });
      expect(await entryRefused('ks-store-down')).toMatchObject({ reason: 'kill_switch' });
      await waitFor(() => store.refused >= 2, 'the refused write tried again');
      expect(await stored().load()).toMatchObject({ engaged: false });

      store.down = false;
      await waitFor(() => store.saved > 0, 'the kill stored');
      const kept = { engaged: true, reason: 'incident', commandId: kill.id, commandAt: kill.eventTime };
      expect(await stored().load()).toMatchObject(kept);
    } finally {
      await stop();
    }
  });
});

describe('orders: a resume given before a kill and delivered after it', () => {
  it('leaves the kill in force when the resume arrives late while the service runs', async () => {
    const stop = await startOrders();
    try {
      const givenAt = clock.now();
      const kill = await fixture.bus.publish(subject(Subjects.kill, {}), killCommand, { eventTime: givenAt });
      await ackOf(kill.id);
      // A resume sent a second before the kill, delivered again after it (a retried delivery).
      const resume = await fixture.bus.publish(subject(Subjects.resume, {}), resumeCommand, {
        eventTime: givenAt - 1_000,
      });
      expect(await ackOf(resume.id)).toMatchObject({ command: 'resume', engaged: true });
      expect(await entryRefused('ks-late-resume')).toMatchObject({ reason: 'kill_switch' });
      expect(await stored().load()).toMatchObject({ engaged: true, commandId: kill.id });
    } finally {
      await stop();
    }
  });

  it('applies the kill sent last when it restarts after a resume and a kill it missed', async () => {
    let stop = await startOrders();
    const first = await fixture.bus.publish(subject(Subjects.kill, {}), killCommand);
    await ackOf(first.id);
    await stop();

    // While the service is down the operator resumes, then kills again: its two consumers get them in either order.
    const resume = await fixture.bus.publish(subject(Subjects.resume, {}), resumeCommand);
    const kill = await fixture.bus.publish(subject(Subjects.kill, {}), { ...killCommand, reason: 'again' });
    stop = await startOrders();
    try {
      await ackOf(resume.id);
      await ackOf(kill.id);
      expect(await entryRefused('ks-restart')).toMatchObject({ reason: 'kill_switch' });
      expect(await stored().load()).toMatchObject({ engaged: true, reason: 'again', commandId: kill.id });
    } finally {
      await stop();
    }
  });
});

describe('orders: a kill while the venue does not answer', () => {
  const OPEN_ORDERS = '/api/v3/openOrders';
  /** More refused reads of the open orders than the bus's default deliveries before it dead-letters. */
  const REFUSED = DEFAULT_MAX_DELIVER + 1;
  const OUTAGE = 1_000;
  const refusedReads = () => OUTAGE - (fixture.sim.controls.state().httpFaults[0]?.count ?? 0);
  const openOnVenue = async () =>
    (await simClient(fixture.sim, API_KEY, SECRET).fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId);

  it('keeps trying to cancel our resting orders until the venue answers, however long that takes', {
    timeout: 90_000,
  }, async () => {
    const slices = new OrderSliceRepository(fixture.handle.db, clock);
    const stop = await startOrders();
    try {
      // Ours, resting far below the market: the kill must cancel it.
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('ks-venue-down', 'buy', 0.001, { type: 'limit', price: 40000 }),
      );
      await waitFor(
        async () => (await slices.get('bl-ks-venue-down'))?.status === 'open',
        'our limit resting',
      );

      fixture.sim.controls.failHttp({ kind: 'server_error', count: OUTAGE, pathPrefix: OPEN_ORDERS });
      const kill = await fixture.bus.publish(subject(Subjects.kill, {}), killCommand);
      // Each delivery of the kill reads the open orders once: past the bus's default number of tries.
      await waitFor(() => refusedReads() >= REFUSED, `${REFUSED} refused reads of the open orders`, {
        timeoutMs: 60_000,
      });
      fixture.sim.controls.clearHttpFaults();

      const ack = await waitFor(() => acks.find((a) => a.commandId === kill.id), 'the kill carried out', {
        timeoutMs: 20_000,
      });
      expect(ack).toMatchObject({ command: 'kill', engaged: true });
      expect(ack.detail).toContain('cancelled 1 open orders');
      expect(await openOnVenue()).toEqual([]);
      expect(events.some((e) => e.clientOrderId === 'bl-ks-venue-down' && e.status === 'cancelled')).toBe(
        true,
      );
    } finally {
      fixture.sim.controls.clearHttpFaults();
      await stop();
    }
  });
});
