import { type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersSettled } from './testing/orders-settled';
import { simCcxtVenue } from './testing/recorded-venue';
import { startOrdersService } from './testing/sim-orders';

// The orders service trading the simulator's Binance account through ccxt (book
// binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, best bid 58001.03; filters from
// binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz). Each look-up of a resting order is a
// signed GET /api/v3/order (request weight 4; 9 with its trades), against Binance's 6,000 a minute per
// IP: a loop pass every TICK_MS (100 ms by default) looking each one up spent 2,400 a minute per resting
// order, and a few of them got the IP banned (429, then 418), market-data and stops included.
const ACCOUNT = { apiKey: 'open-poll-key', secret: 'open-poll-secret' };
const clock = { t: Date.now(), now: () => clock.t };
let fixture: VenueFixture;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_open_poll',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-open-poll-events',
  });
});

afterAll(() => fixture?.close());

describe('a limit order resting on the venue', () => {
  it('is looked up once per ORDERS_OPEN_POLL_MS, not on every loop pass', { timeout: 60_000 }, async () => {
    const venue = simCcxtVenue(fixture, ACCOUNT);
    const lookUp = venue.fetchByClientId.bind(venue);
    let lookups = 0;
    venue.fetchByClientId = (symbol, clientOrderId) => {
      lookups++;
      return lookUp(symbol, clientOrderId);
    };
    const { service, stop } = await startOrdersService(
      fixture,
      {
        ORDERS_VENUE_KIND: 'ccxt',
        ORDERS_VENUE: 'binance',
        // The test runs the loop's passes; the idle read never comes round.
        TICK_MS: '3600000',
        LOOP_IDLE_READ_MS: '3600000',
        ORDERS_OPEN_POLL_MS: '1000',
      },
      undefined,
      { venue, clock },
    );
    try {
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('open-poll', 'buy', 0.001, { type: 'limit', price: 50000 }),
      );
      await waitFor(
        () => events.find((e) => e.intentId === 'open-poll' && e.status === 'accepted'),
        'the buy resting',
      );
      await ordersSettled(fixture);

      // Ten passes within the same second read the resting order at most once more.
      const before = lookups;
      for (let pass = 0; pass < 10; pass++) await service.manager.tick();
      expect(lookups - before).toBeLessThanOrEqual(1);

      // A second later it is looked up again: a fill is still found.
      clock.t += 1000;
      const again = lookups;
      await service.manager.tick();
      expect(lookups - again).toBe(1);
    } finally {
      await venue.cancel('BTC-USDT', 'bl-open-poll').catch(() => undefined);
      await stop();
    }
  });
});
