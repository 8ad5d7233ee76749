import {
  type Alert,
  type Clock,
  type Envelope,
  type OrderCommand,
  type OrderEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { btcSlice } from '@ballast/db/testing';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// The simulator replays binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json as its book and
// the recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as filters.
const API_KEY = 'record-fill-key';
const SECRET = 'record-fill-secret';
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
let slices: OrderSliceRepository;
const events: OrderEvent[] = [];
const alerts: Alert[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_record_fill',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  slices = new OrderSliceRepository(fixture.handle.db, clock);
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-record-fill-events',
  });
  await fixture.bus.subscribe(
    subject(Subjects.alert, {}),
    (m: Envelope<Alert>) => void alerts.push(m.payload),
    {
      durable: 'test-record-fill-alerts',
    },
  );
});

afterAll(() => fixture?.close());

type Fill = Extract<OrderCommand, { kind: 'record_fill' }>['fill'];

/** Reconciliation's command for a venue trade it could not match to one of our orders. */
const externalFill = (venueOrderId: string, fill: Fill): OrderCommand => ({
  kind: 'record_fill',
  origin: 'venue_trade',
  clientOrderId: `ext-${venueOrderId}`,
  intentId: `ext-${venueOrderId}`,
  venueOrderId,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'buy',
  fill,
});

describe('orders: a venue trade is booked under one order only', () => {
  it('ignores a record_fill that names another order for a trade already in our books', async () => {
    const stop = await startSimOrders(fixture, { apiKey: API_KEY, secret: SECRET }, { TICK_MS: '50' });
    try {
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('rf-1', 'buy', 0.001));
      const ours = await waitFor(async () => {
        const s = await slices.get('bl-rf-1');
        return s?.status === 'filled' ? s : undefined;
      }, 'our order filled');
      const [fill] = ours.fills as Fill[];
      if (!fill || !ours.venueOrderId) throw new Error('no fill or venue order id recorded');

      // The same trade filed as external (a run that read the venue before our order was recorded),
      // then a trade of its own as a marker: commands are handled in order.
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), externalFill(ours.venueOrderId, fill));
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        externalFill('marker', { ...fill, tradeId: 'marker-trade' }),
      );
      await waitFor(() => slices.get('ext-marker'), 'the marker recorded');

      expect(await slices.get(`ext-${ours.venueOrderId}`)).toBeUndefined();
      expect(events.filter((e) => e.clientOrderId === `ext-${ours.venueOrderId}`)).toEqual([]);
      expect((await slices.get('bl-rf-1'))?.fills).toEqual([fill]);
    } finally {
      await stop();
    }
  });

  it("does not book again a trade reconciliation filed under another order when the venue's answer for ours comes", async () => {
    // Our buy was sent and filled, its answer never recorded (left `sending`); reconciliation, told by
    // the venue the order did not exist yet, filed its trade as external.
    const ex = binanceClient(fixture.sim, { apiKey: API_KEY, secret: SECRET });
    const placed = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
      clientOrderId: 'bl-rf-late',
    });
    const venueOrderId = String(placed.id);
    const trade = (await ex.fetchMyTrades('BTC/USDT', undefined, 1000, { fromId: 0 })).find(
      (t) => String(t.order) === venueOrderId,
    );
    if (!trade) throw new Error('no trade of the placed order');
    const fill: Fill = {
      tradeId: String(trade.id),
      price: trade.price ?? 0,
      qty: trade.amount ?? 0.001,
      fee: trade.fee?.cost ?? 0,
      feeAsset: 'USDT',
      liquidity: 'taker',
      time: trade.timestamp ?? Date.now(),
    };
    const order = (clientOrderId: string) => btcSlice(clientOrderId, { strategy: null });
    const external = `ext-BTC-USDT-${venueOrderId}`;
    await slices.plan([order(external)]);
    await slices.update(external, { status: 'filled', venueOrderId, fills: [fill], filledQty: 0.001 });
    await slices.plan([order('bl-rf-late')], 'sending');
    const warnings: string[] = [];
    const log = { info() {}, error() {}, warn: (_: object, m: string) => void warnings.push(m) };
    // Its start recovers the order left `sending`: the venue's answer holds the same trade.
    const stop = await startSimOrders(fixture, { apiKey: API_KEY, secret: SECRET }, { TICK_MS: '50' }, log);
    try {
      await waitFor(async () => (await slices.get('bl-rf-late'))?.status === 'filled', 'our order filled');
      expect((await slices.get('bl-rf-late'))?.fills).toEqual([]);
      expect((await slices.get(external))?.fills).toEqual([fill]);
      expect(warnings).toContain('venue fill already booked under another order; not recorded again');
      const alert = await waitFor(
        () => alerts.find((a) => a.kind === 'fill_booked_elsewhere'),
        'the booked-elsewhere alert',
      );
      expect(alert).toMatchObject({ severity: 'warning', labels: { clientOrderId: 'bl-rf-late' } });
      expect(alert.message).toContain(external);
      expect(events.filter((e) => e.clientOrderId === 'bl-rf-late' && e.fill !== null)).toEqual([]);
    } finally {
      await stop();
    }
  });
});
