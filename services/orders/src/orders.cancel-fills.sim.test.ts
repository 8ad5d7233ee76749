import { type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersSettled } from './testing/orders-settled';
import { recordOrderFlow } from './testing/recorded-venue';
import { startSimOrders } from './testing/sim-orders';

// The simulator replays binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json as its book and the
// recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as filters. Its
// cancel answers as Binance's DELETE /api/v3/order does: the order's executedQty, none of its trades.
const API_KEY = 'cancel-fills-key';
const SECRET = 'cancel-fills-secret';
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_cancel_fills_sim',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(() => fixture?.close());

describe('a cancel on Binance (the simulator through ccxt) of a part-filled resting limit', () => {
  it('books the fill its answer only counts, reading the order with its trades', {
    timeout: 60_000,
  }, async () => {
    // The loop reads resting orders only when an order comes in or every 10 minutes: once the pass that
    // accepted the order is over, only the cancel's answer can tell of the fill.
    const stop = await startSimOrders(
      fixture,
      { apiKey: API_KEY, secret: SECRET },
      { TICK_MS: '600000', LOOP_IDLE_READ_MS: '600000' },
    );
    try {
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('cfs-rest', 'buy', 0.002, { type: 'limit', price: 40000 }),
      );
      await waitFor(
        () => events.find((e) => e.intentId === 'cfs-rest' && e.status === 'accepted'),
        'resting',
      );
      await ordersSettled(fixture);
      fixture.sim.tamper.printThrough('BTCUSDT', 'bl-cfs-rest', '0.001');
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
        kind: 'cancel',
        clientOrderId: 'bl-cfs-rest',
        exchange: 'binance',
        symbol: 'BTC-USDT',
      });
      const opened = await waitFor(() => positions.find((p) => p.intentId === 'cfs-rest'), 'the position');
      expect(opened).toMatchObject({ status: 'opened', side: 'long', qty: 0.001, avgEntry: 40000 });
      const fills = await waitFor(() => {
        const seen = events.filter((e) => e.intentId === 'cfs-rest' && e.fill);
        return seen.length > 0 ? seen : undefined;
      }, 'the fill announced');
      expect(fills.map((e) => [e.status, e.filledQty, e.fill?.qty, e.fill?.price])).toEqual([
        ['cancelled', 0.001, 0.001, 40000],
      ]);
    } finally {
      await stop();
    }
  });
});
