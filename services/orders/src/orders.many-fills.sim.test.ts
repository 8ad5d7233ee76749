import { type Fill, type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { sumLots } from '@ballast/core';
import { OrderSliceRepository } from '@ballast/db';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// The simulator fills against binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, one trade
// per ask level taken: 60 BTC takes more than 500 levels, more trades than one default page of
// Binance's GET /api/v3/myTrades (500). Fees are charged in USDT, so the venue holds all 60 BTC bought.
const ACCOUNT = { apiKey: 'many-fills-key', secret: 'many-fills-secret' };
const clock = { now: () => Date.now() };

let fixture: VenueFixture;
const orderEvents: OrderEvent[] = [];
const positions: PositionEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_many_fills',
    account: { ...ACCOUNT, balances: { USDT: '100000000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void orderEvents.push(m.payload), {
    durable: 'test-order-events',
  });
  await fixture.bus.subscribe(subject(Subjects.positionEvent, {}), (m) => void positions.push(m.payload), {
    durable: 'test-positions',
  });
});

afterAll(() => fixture?.close());

describe('the orders service on Binance through ccxt: an order with more trades than a page', () => {
  it('books every trade of a 60 BTC market buy: its fills make 60 and the position is what the venue holds', {
    timeout: 60_000,
  }, async () => {
    const stop = await startSimOrders(fixture, ACCOUNT, { TICK_MS: '50', MAX_SLIPPAGE_BPS: '100000' });
    try {
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('many-fills', 'buy', 60));
      await waitFor(
        () => orderEvents.find((e) => e.intentId === 'many-fills' && e.status === 'filled'),
        'the buy filled',
        // Every page of its trades read and booked: on a loaded CI host that outlasted 10 s.
        { timeoutMs: 40_000 },
      );
      const held = (await binanceClient(fixture.sim, ACCOUNT).fetchBalance()).BTC?.total;
      expect(held).toBe(60);

      const opened = await waitFor(
        () => positions.find((p) => p.symbol === 'BTC-USDT' && p.qty === held),
        `a position of the ${held} BTC held (last seen ${positions.at(-1)?.qty})`,
      );
      expect(opened.qty).toBe(60);
      const [slice] = (await new OrderSliceRepository(fixture.handle.db, clock).all()).filter(
        (s) => s.intentId === 'many-fills',
      );
      const fills = (slice?.fills ?? []) as Fill[];
      expect(slice).toMatchObject({ status: 'filled', filledQty: 60 });
      expect(fills.length).toBeGreaterThan(500);
      expect(sumLots(fills.map((f) => f.qty))).toBe(60);
    } finally {
      await stop();
    }
  });
});
