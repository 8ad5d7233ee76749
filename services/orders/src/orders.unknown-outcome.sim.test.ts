import { type Clock, type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { CcxtVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, waitFor } from '@ballast/testkit';
import ccxt from 'ccxt';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lossyBinance, type TransportFault } from './testing/lossy-binance';
import { ordersOnVenue } from './testing/sim-client';
import { startOrdersService } from './testing/sim-orders';

// The simulator fills against binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, with the
// recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as market rules. Like
// Binance, it refuses a repeated client order id only while the first order under it is open: a market
// buy sent again after it filled is bought again.
const ACCOUNT = { apiKey: 'unknown-outcome-key', secret: 'unknown-outcome-secret' };
const clock: Clock = { now: () => Date.now() };
const ORDER = '/api/v3/order';
/** Every look-up of an order by client id fails until the test heals the transport. */
const LOOK_UPS_FAIL: TransportFault = {
  method: 'GET',
  path: ORDER,
  kind: 'unsent',
  count: Number.POSITIVE_INFINITY,
};

let fixture: VenueFixture;
let slices: OrderSliceRepository;
let orderEvents: OrderEvent[];
let positionEvents: PositionEvent[];
let stops: Array<() => Promise<void>>;

// A fixture per test: each starts with no position, so "opened once" is the test's own order's.
beforeEach(async () => {
  fixture = await startVenueFixture({
    label: 'orders_unknown_outcome',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: '0' } },
  });
  slices = new OrderSliceRepository(fixture.handle.db, clock);
  orderEvents = [];
  positionEvents = [];
  stops = [];
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void orderEvents.push(m.payload), {
    durable: 'test-order-events',
  });
  await fixture.bus.subscribe(
    subject(Subjects.positionEvent, {}),
    (m) => void positionEvents.push(m.payload),
    { durable: 'test-position-events' },
  );
});

afterEach(async () => {
  for (const stop of stops) await stop();
  await fixture?.close();
});

/**
 * The orders service trading the simulator through a transport failing as `faults` say, its metrics
 * on a registry, sent the approved buy of `intentId`; returns the transport and the slice's client id.
 */
async function buyThrough(faults: readonly TransportFault[], intentId: string) {
  const { lossy, unknownOutcomes } = await ordersThrough(faults);
  await fixture.bus.publish(subject(Subjects.riskDecision, {}), approvedBuy(intentId));
  const id = (await waitFor(() => slices.all().then((all) => all[0]), 'the slice')).clientOrderId;
  return { lossy, id, unknownOutcomes };
}

/** The orders service started on the simulator through a transport failing as `faults` say. */
async function ordersThrough(faults: readonly TransportFault[]) {
  const lossy = lossyBinance(fixture.sim, ACCOUNT);
  for (const fault of faults) lossy.fail(fault);
  const venue = new CcxtVenue({ venue: 'binance', exchangeId: 'binance' }, lossy.exchange);
  const metrics = new Registry();
  const { stop } = await startOrdersService(
    fixture,
    {
      ORDERS_VENUE_KIND: 'ccxt',
      TICK_MS: '20',
      RETRY_ATTEMPTS: '5',
      RETRY_BASE_MS: '5',
      // An `unsent` send never leaves: a short recvWindow keeps the wait before it goes out again short.
      ORDERS_RECV_WINDOW_MS: '300',
      ORDERS_CLOCK_SKEW_MS: '0',
      // Never idle-read within a test: only the re-check of unknown outcomes looks `sending` slices up.
      LOOP_IDLE_READ_MS: '600000',
      ORDERS_BOOK_MAX_AGE_MS: '0',
    },
    undefined,
    { venue, metrics },
  );
  stops.push(stop);
  const unknownOutcomes = async () =>
    (await metrics.getSingleMetric('ballast_orders_unknown_outcome_total')?.get())?.values[0]?.value ?? 0;
  return { lossy, stop, unknownOutcomes };
}

/**
 * Once the send is over (its outcome counted unknown, or the slice anything but `sending`): the venue
 * holds `onVenue`, and the slice is left `sending`, counted once, with nothing announced.
 */
async function expectUnknown(
  clientOrderId: string,
  unknownOutcomes: () => Promise<number>,
  onVenue: Awaited<ReturnType<typeof ordersOnVenue>>,
) {
  const over = await waitFor(async () => {
    const slice = await slices.get(clientOrderId);
    if (slice && (slice.status !== 'sending' || (await unknownOutcomes()) > 0)) return slice;
    return undefined;
  }, `the send of ${clientOrderId} to end`);
  expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual(onVenue);
  expect(over.status).toBe('sending');
  expect(await unknownOutcomes()).toBe(1);
  expect(orderEvents).toEqual([]);
  expect(positionEvents).toEqual([]);
}

async function expectFilledOnce(clientOrderId: string, intentId: string) {
  const filled = await waitFor(async () => {
    const s = await slices.get(clientOrderId);
    return s && !['planned', 'sending', 'open'].includes(s.status) ? s : undefined;
  }, 'the order over');
  expect(filled).toMatchObject({ status: 'filled', filledQty: 0.01 });
  expect(filled.fills).toHaveLength(1);
  expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toEqual([
    { clientOrderId, filled: 0.01 },
  ]);
  await waitFor(() => positionEvents.find((p) => p.intentId === intentId), 'the position event');
  expect(positionEvents.map((p) => [p.status, p.qty])).toEqual([['opened', 0.01]]);
  expect(orderEvents.filter((e) => e.status === 'rejected')).toEqual([]);
}

describe('orders: a send whose outcome is unknown is never sent again blind', { timeout: 60_000 }, () => {
  it('a buy that filled while its reply and every look-up timed out is bought once, filled once the venue answers', async () => {
    const { lossy, id, unknownOutcomes } = await buyThrough(
      [{ method: 'POST', path: ORDER, kind: 'lost-reply', count: 1 }, LOOK_UPS_FAIL],
      'lost-reply',
    );
    await expectUnknown(id, unknownOutcomes, [{ clientOrderId: id, filled: 0.01 }]);
    expect(lossy.failed(`GET ${ORDER}`)).toBeGreaterThanOrEqual(5);

    lossy.heal();
    await expectFilledOnce(id, 'lost-reply');
  });

  it('a buy that never reached the venue while look-ups failed is sent once a look-up finds no order', async () => {
    const { lossy, id, unknownOutcomes } = await buyThrough(
      [{ method: 'POST', path: ORDER, kind: 'unsent', count: 1 }, LOOK_UPS_FAIL],
      'never-sent',
    );
    await expectUnknown(id, unknownOutcomes, []);

    lossy.heal();
    await expectFilledOnce(id, 'never-sent');
    expect(lossy.failed(`POST ${ORDER}`)).toBe(1);
  });

  it('a restart while the venue still does not answer starts anyway; the buy is resolved, once, when it does', async () => {
    const first = await buyThrough(
      [{ method: 'POST', path: ORDER, kind: 'lost-reply', count: 1 }, LOOK_UPS_FAIL],
      'restart-in-outage',
    );
    await expectUnknown(first.id, first.unknownOutcomes, [{ clientOrderId: first.id, filled: 0.01 }]);
    await stops.pop()?.();

    // The recovery at start cannot look the slice up: the service starts regardless and keeps it `sending`.
    const second = await ordersThrough([LOOK_UPS_FAIL]);
    expect(second.lossy.failed(`GET ${ORDER}`)).toBeGreaterThanOrEqual(1);
    expect((await slices.get(first.id))?.status).toBe('sending');
    expect(await ordersOnVenue(fixture.sim, ACCOUNT.apiKey, ACCOUNT.secret)).toHaveLength(1);

    second.lossy.heal();
    await expectFilledOnce(first.id, 'restart-in-outage');
  });

  it('a buy whose trades could not be read after it filled is recorded filled, never rejected', async () => {
    // Non-retryable: ccxt's catch-all for a venue answer it cannot place (reason `unknown`). Twice:
    // after the create, and at the first look-up.
    const tradesFail: TransportFault = {
      method: 'GET',
      path: '/api/v3/myTrades',
      kind: 'unsent',
      count: 2,
      error: () => new ccxt.ExchangeError('binance {"code":-1000,"msg":"An unknown error occured."}'),
    };
    const { lossy, id } = await buyThrough([tradesFail], 'trades-lost');

    await expectFilledOnce(id, 'trades-lost');
    expect(lossy.failed('GET /api/v3/myTrades')).toBe(2);
    expect(orderEvents.map((e) => e.status)).toEqual(['accepted', 'filled']);
  });
});
