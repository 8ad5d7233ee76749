import {
  type Clock,
  type ControlAck,
  type OrderEvent,
  type PositionEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { clientOrderId } from '@ballast/core';
import { OrderSliceRepository } from '@ballast/db';
import { btcSlice } from '@ballast/db/testing';
import { CcxtVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, marketCommand, waitFor } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lossyBinance, type TransportFault } from './testing/lossy-binance';
import { recordOrderFlow } from './testing/recorded-venue';
import { ordersOnVenue, simClient } from './testing/sim-client';
import { startOrdersService } from './testing/sim-orders';

// Binance documents that a request which timed out (-1007 "send status unknown; execution status
// unknown", a 5xx) may still execute: queued at the gateway, it is "not found" by a look-up for a
// while, then fills. The simulator, like Binance, frees a filled market order's client id, so a re-send
// under that id is not refused as a duplicate: the order would be traded twice.
const ACCOUNT = { apiKey: 'late-landing-key', secret: 'late-landing-secret' };
const clock: Clock = { now: () => Date.now() };
const ORDER = '/api/v3/order';
/** The first order sent times out at once and reaches the simulator 300 ms later. */
const LANDS_LATE: TransportFault = { method: 'POST', path: ORDER, kind: 'late', count: 1, lateMs: 300 };
/** Coins held apart (not a position): a second close of the position would sell them. */
const HELD_APART = 0.05;

const orderEvents: OrderEvent[] = [];
const positionEvents: PositionEvent[] = [];
const stops: Array<() => Promise<void>> = [];
let fixture: VenueFixture;
let slices: OrderSliceRepository;

// A fixture per test: each starts with no position and the coins held apart.
beforeEach(async () => {
  fixture = await startVenueFixture({
    label: 'orders_late_landing',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: String(HELD_APART) } },
  });
  slices = new OrderSliceRepository(fixture.handle.db, clock);
  orderEvents.length = 0;
  positionEvents.length = 0;
  await recordOrderFlow(fixture, orderEvents, positionEvents);
});

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await fixture?.close();
});

/**
 * The orders service on the simulator through a transport failing as `faults` say (`env` over its own).
 * With `signDelayMs`, the first order is signed that long after the service hands it to the venue (a
 * slow market load before it, or a slow write before that).
 */
async function ordersThrough(
  faults: readonly TransportFault[],
  env: Record<string, string> = {},
  { signDelayMs = 0 } = {},
) {
  const lossy = lossyBinance(fixture.sim, ACCOUNT);
  for (const fault of faults) lossy.fail(fault);
  const venue = new CcxtVenue({ venue: 'binance', exchangeId: 'binance' }, lossy.exchange);
  if (signDelayMs > 0) {
    const submit = venue.submit.bind(venue);
    let delays = 1;
    venue.submit = async (order) => {
      if (delays-- > 0) await new Promise((r) => setTimeout(r, signDelayMs));
      return submit(order);
    };
  }
  const { stop } = await startOrdersService(
    fixture,
    {
      ORDERS_VENUE_KIND: 'ccxt',
      TICK_MS: '20',
      ORDERS_BOOK_MAX_AGE_MS: '0',
      // Never idle-read within a test: only the re-check of unknown outcomes looks `sending` slices up.
      LOOP_IDLE_READ_MS: '600000',
      ...env,
    },
    undefined,
    { venue },
  );
  stops.push(stop);
  return lossy;
}

/** Once the slice is over, and long enough after for a second order to land: the slice as recorded. */
async function overAndSettled(id: string, intentId: string) {
  const over = await waitFor(async () => {
    const s = await slices.get(id);
    return s && !['planned', 'sending', 'open'].includes(s.status) ? s : undefined;
  }, `${id} over`);
  await waitFor(() => positionEvents.find((p) => p.intentId === intentId), `the position event of ${id}`);
  // Past the late request's arrival (300 ms) and any re-send it raced: nothing is waited on but time.
  await new Promise((r) => setTimeout(r, 1_000));
  return over;
}

/** The request of a send caught by a restart reaches the venue `ms` from now: a market buy of 0.01 under `id`. */
async function landsAfter(ms: number, id: string): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await simClient(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret).createOrder(
    'BTC/USDT',
    'market',
    'buy',
    0.01,
    undefined,
    { newClientOrderId: id },
  );
}

describe('orders: a send that timed out and lands after a look-up found nothing', { timeout: 60_000 }, () => {
  it('an entry is bought once: "not found" is no answer while the send may still land', async () => {
    await ordersThrough([LANDS_LATE]);
    await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('late-entry'));
    const id = (await waitFor(() => slices.all().then((all) => all[0]), 'the slice')).clientOrderId;

    expect(await overAndSettled(id, 'late-entry')).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
      { clientOrderId: id, filled: 0.01 },
    ]);
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
    expect(orderEvents.filter((e) => e.status === 'rejected')).toEqual([]);
  });

  it('an entry out of attempts while its send may still land is left unknown, not refused', async () => {
    // One attempt: the look-up after the timeout is the last, and it finds nothing yet.
    await ordersThrough([LANDS_LATE], { RETRY_ATTEMPTS: '1' });
    await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('late-last-attempt'));
    const id = (await waitFor(() => slices.all().then((all) => all[0]), 'the slice')).clientOrderId;

    expect(await overAndSettled(id, 'late-last-attempt')).toMatchObject({
      status: 'filled',
      filledQty: 0.01,
    });
    expect(orderEvents.filter((e) => e.status === 'rejected')).toEqual([]);
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
      { clientOrderId: id, filled: 0.01 },
    ]);
  });

  it('a reduce-only close sells once, leaving the coins held apart', async () => {
    const lossy = await ordersThrough([]);
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('ll-open', 'buy', 0.01));
    await overAndSettled('bl-ll-open', 'll-open');
    lossy.fail(LANDS_LATE);
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('ll-close', 'sell', 0.01, { reduceOnly: true }),
    );

    expect(await overAndSettled('bl-ll-close', 'll-close')).toMatchObject({
      status: 'filled',
      filledQty: 0.01,
    });
    expect(lossy.failed(`POST ${ORDER}`)).toBe(1);
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
      { clientOrderId: 'bl-ll-open', filled: 0.01 },
      { clientOrderId: 'bl-ll-close', filled: 0.01 },
    ]);
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([
      ['opened', 0.01],
      ['closed', 0],
    ]);
  });

  it('a restart within the send’s recvWindow sends nothing again; the landed order is applied', async () => {
    // The service stopped right after sending (the slice stamped `sending`), its request still on the way.
    const id = clientOrderId('bl-', 'late-restart', 0);
    const now = clock.now();
    await slices.plan([btcSlice(id, { intentId: 'late-restart', qty: 0.01, dueAt: now })], 'sending');
    await slices.update(id, { sentAt: now });

    // The restart's look-up finds nothing: the request lands 300 ms after the service is up.
    await ordersThrough([]);
    await landsAfter(300, id);

    expect(await overAndSettled(id, 'late-restart')).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
      { clientOrderId: id, filled: 0.01 },
    ]);
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
  });

  it('a restart finding a slice left sending with no send time (kept before 0208) waits a window: the landed order is applied', async () => {
    // Left `sending` by a version that kept no send time: its request may still be on the way.
    const id = clientOrderId('bl-', 'late-unstamped', 0);
    await slices.plan(
      [btcSlice(id, { intentId: 'late-unstamped', qty: 0.01, dueAt: clock.now() })],
      'sending',
    );
    expect((await slices.get(id))?.sentAt).toBeNull();

    await ordersThrough([]);
    await landsAfter(300, id);

    expect(await overAndSettled(id, 'late-unstamped')).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
      { clientOrderId: id, filled: 0.01 },
    ]);
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
  });

  it('a send signed well after its slice was stamped is waited on from its failure: bought once', async () => {
    // Signed 1500 ms after the stamp, past the whole window (1000 + 200) counted from the stamp; it
    // times out at once and reaches the venue 700 ms later, inside the recvWindow it was signed with.
    const lossy = await ordersThrough(
      [{ ...LANDS_LATE, lateMs: 700 }],
      { ORDERS_RECV_WINDOW_MS: '1000', ORDERS_CLOCK_SKEW_MS: '200' },
      { signDelayMs: 1_500 },
    );
    lossy.exchange.options.recvWindow = 1_000;
    await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('late-signed'));
    const id = (await waitFor(() => slices.all().then((all) => all[0]), 'the slice')).clientOrderId;

    expect(await overAndSettled(id, 'late-signed')).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(lossy.failed(`POST ${ORDER}`)).toBe(1);
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
      { clientOrderId: id, filled: 0.01 },
    ]);
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
  });

  it('a send that never reached the venue goes out again once it can no longer land, not before', async () => {
    const lossy = await ordersThrough([{ method: 'POST', path: ORDER, kind: 'unsent', count: 1 }], {
      ORDERS_RECV_WINDOW_MS: '1000',
      ORDERS_CLOCK_SKEW_MS: '200',
    });
    await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('never-landed'));
    const id = (await waitFor(() => slices.all().then((all) => all[0]), 'the slice')).clientOrderId;

    expect(await overAndSettled(id, 'never-landed')).toMatchObject({ status: 'filled', filledQty: 0.01 });
    const posts = lossy.madeAt(`POST ${ORDER}`);
    expect(posts).toHaveLength(2);
    // Sent again only after its recvWindow (1000) and the skew allowance (200) were over.
    expect((posts[1] ?? 0) - (posts[0] ?? 0)).toBeGreaterThan(1_200);
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
      { clientOrderId: id, filled: 0.01 },
    ]);
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
  });

  it("a kill's flatten while an entry's send may still land reports NOT flat; the entry lands after", async () => {
    // One attempt: the entry is left `sending` (outcome unknown) and reaches the venue 2 s later.
    const lossy = await ordersThrough([{ ...LANDS_LATE, lateMs: 2_000 }], { RETRY_ATTEMPTS: '1' });
    const acks: ControlAck[] = [];
    await fixture.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
      durable: 'test-acks',
    });
    await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy('late-before-kill'));
    const sending = await waitFor(async () => {
      const [slice] = await slices.all();
      return slice?.status === 'sending' && lossy.failed(`POST ${ORDER}`) === 1 ? slice : undefined;
    }, 'the entry sent, its outcome unknown');

    const kill = await fixture.bus.publish(subject(Subjects.kill, {}), {
      flatten: true,
      reason: 'flatten with an order in flight',
      requestedBy: 'test',
    });
    const ack = await waitFor(
      () => acks.find((a) => a.commandId === kill.id && a.service === 'orders'),
      'the kill ack',
    );
    // Nothing is held yet (the coins held apart are no position), but the entry may still buy.
    expect(ack).toMatchObject({ command: 'kill', engaged: true, flat: false });
    expect(ack.detail).toBe(
      `aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT NOT flat: 1 order of ours may still land (sending: ${sending.clientOrderId})`,
    );
    expect(await overAndSettled(sending.clientOrderId, 'late-before-kill')).toMatchObject({
      status: 'filled',
      filledQty: 0.01,
    });
    expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
  });
});
