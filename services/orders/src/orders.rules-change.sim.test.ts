import { type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { CcxtVenue, RULES_MAX_AGE_MS, RULES_MIN_REFRESH_MS } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrdersOnClock } from './testing/paper-orders';
import { startSimOrders } from './testing/sim-orders';

// The orders service trading the simulator's Binance account through ccxt. The simulator serves the
// recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz: BTCUSDT step 0.00001,
// tick 0.01) until a test changes a filter on it, as Binance does now and then. The service clock runs
// `ahead` of the wall clock by what the test says; only the rules' ages read it.
const ACCOUNT = { apiKey: 'rules-change-key', secret: 'rules-change-secret' };
const clock = { ahead: 0, now: () => Date.now() + clock.ahead };
let fixture: VenueFixture;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_rules_change',
    account: { ...ACCOUNT, balances: { USDT: '10000' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-rules-change-events',
  });
});

afterAll(() => fixture?.close());

const venueOnClock = () =>
  new CcxtVenue({ venue: 'binance', exchangeId: 'binance', baseUrl: fixture.sim.restUrl, clock });

describe('market rules the venue changes while we run', () => {
  it('are read again once older than RULES_MAX_AGE_MS, and on asking at most once per RULES_MIN_REFRESH_MS', async () => {
    const venue = venueOnClock();
    expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.01);
    fixture.sim.tamper.changeFilter('BTCUSDT', 'PRICE_FILTER', { tickSize: '0.10000000' });
    expect(await venue.refreshRules()).toBe(false);
    expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.01);
    clock.ahead += RULES_MIN_REFRESH_MS;
    expect(await venue.refreshRules()).toBe(true);
    expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.1);

    fixture.sim.tamper.changeFilter('BTCUSDT', 'PRICE_FILTER', { tickSize: '0.01000000' });
    clock.ahead += RULES_MAX_AGE_MS;
    expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.01);
  });

  it('say a read that failed was not one: the rules read before stay in use', async () => {
    const venue = venueOnClock();
    expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.01);
    clock.ahead += RULES_MIN_REFRESH_MS;
    fixture.sim.controls.failHttp({ kind: 'server_error', count: 1, pathPrefix: '/api/v3/exchangeInfo' });
    expect(await venue.refreshRules()).toBe(false);
    expect(fixture.sim.controls.state().httpFaults).toEqual([]);
    expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.01);
    clock.ahead += RULES_MIN_REFRESH_MS;
    expect(await venue.refreshRules()).toBe(true);
  });

  it('an order refused for a step changed on the venue is sent once more on the step read again, and fills', {
    timeout: 60_000,
  }, async () => {
    const stop = await startSimOrders(fixture, ACCOUNT, { TICK_MS: '50' }, undefined, { clock });
    try {
      const publish = (intentId: string) =>
        fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand(intentId, 'buy', 0.0105));
      const over = (intentId: string) =>
        waitFor(
          () => events.find((e) => e.intentId === intentId && ['filled', 'rejected'].includes(e.status)),
          `${intentId} over`,
        );
      await publish('rc-before');
      expect([(await over('rc-before')).status, (await over('rc-before')).filledQty]).toEqual([
        'filled',
        0.0105,
      ]);

      fixture.sim.tamper.changeFilter('BTCUSDT', 'LOT_SIZE', {
        stepSize: '0.00100000',
        minQty: '0.00100000',
      });
      clock.ahead += RULES_MIN_REFRESH_MS;
      await publish('rc-after');
      const after = await over('rc-after');
      expect([after.status, after.qty, after.filledQty, after.reason]).toEqual(['filled', 0.01, 0.01, null]);
    } finally {
      fixture.sim.tamper.changeFilter('BTCUSDT', 'LOT_SIZE', {
        stepSize: '0.00001000',
        minQty: '0.00001000',
      });
      await stop();
    }
  });

  it('reach a paper account too: its copy of the live rules is read again once older than RULES_MAX_AGE_MS', async () => {
    const orders = await startPaperOrdersOnClock(fixture, clock);
    try {
      const { venue } = orders.service;
      expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.01);
      fixture.sim.tamper.changeFilter('BTCUSDT', 'PRICE_FILTER', { tickSize: '0.10000000' });
      clock.ahead += RULES_MAX_AGE_MS;
      expect((await venue.marketRules('BTC-USDT')).tickSize).toBe(0.1);
    } finally {
      fixture.sim.tamper.changeFilter('BTCUSDT', 'PRICE_FILTER', { tickSize: '0.01000000' });
      await orders.stop();
    }
  });
});
