import { type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';
import { simCcxtVenue } from './testing/recorded-venue';
import { startSimOrders } from './testing/sim-orders';

// The orders service trading the simulator's Binance account through ccxt (book
// binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json: best bid 58001.03, best ask 58001.04;
// BTCUSDT tick 0.01 in binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz). ccxt puts a limit
// price on the tick by rounding it to the nearest (priceToPrecision), so a buy capped at 50000.007 went
// out at 50000.01, above its cap, and a sell floored at 60000.003 at 60000.00, under its floor; the
// paper venue refused both (precision). A limit price is put on the tick on its passive side. And a
// limit order without a price, which the paper venue filled as a market order (walking the book, no
// slippage guard: that is for market orders), is refused.
const ACCOUNT = { apiKey: 'limit-tick-key', secret: 'limit-tick-secret' };
let fixture: VenueFixture;
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_limit_tick',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: '0.01' } },
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-limit-tick-events',
  });
});

afterAll(() => fixture?.close());

describe('a limit price off the tick', () => {
  it.each([
    ['buy', 50000.007, 50000],
    ['sell', 60000.003, 60000.01],
  ] as const)(
    'a %s at %d rests at %d, never beyond its limit',
    { timeout: 60_000 },
    async (side, asked, placed) => {
      const intentId = `limit-tick-${side}`;
      const stop = await startSimOrders(fixture, ACCOUNT, { TICK_MS: '50' });
      const venue = simCcxtVenue(fixture, ACCOUNT);
      try {
        await fixture.bus.publish(
          subject(Subjects.orderCommand, {}),
          marketCommand(intentId, side, 0.001, { type: 'limit', price: asked }),
        );
        const answer = await waitFor(
          () => events.find((e) => e.intentId === intentId && ['accepted', 'rejected'].includes(e.status)),
          `the ${side} answered`,
        );
        expect([answer.status, answer.reason]).toEqual(['accepted', null]);
        const resting = await venue.fetchByClientId('BTC-USDT', `bl-${intentId}`);
        expect([resting?.status, resting?.price]).toEqual(['accepted', placed]);
      } finally {
        await venue.cancel('BTC-USDT', `bl-${intentId}`).catch(() => undefined);
        await stop();
      }
    },
  );
});

describe('a limit order without a price', () => {
  it('is refused (invalid_order) on paper, not filled as a market order past the slippage guard', {
    timeout: 60_000,
  }, async () => {
    const { stop } = await startPaperOrdersOnRecordedBook(fixture, {
      PAPER_INITIAL_BALANCES: '{"USDT":1000000}',
      MAX_SLIPPAGE_BPS: '0.05',
    });
    const answer = (intentId: string) =>
      waitFor(
        () => events.find((e) => e.intentId === intentId && e.status !== 'accepted'),
        `${intentId} answered`,
      );
    try {
      // 3 BTC walks the recorded asks to 58001.65 on average, 0.11 bp from the touch: over the 0.05 allowed.
      await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('market-three', 'buy', 3));
      const market = await answer('market-three');
      expect([market.status, market.reason]).toEqual(['rejected', 'slippage']);

      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('limit-no-price', 'buy', 3, { type: 'limit', price: null }),
      );
      const limit = await answer('limit-no-price');
      expect([limit.status, limit.reason, limit.filledQty]).toEqual(['rejected', 'invalid_order', 0]);
    } finally {
      await stop();
    }
  });
});

describe('an order for a market the venue does not have', () => {
  it('is refused (invalid_order) naming the market, not failed at every delivery until dead-lettered', {
    timeout: 60_000,
  }, async () => {
    const intentId = 'unknown-market';
    const stop = await startSimOrders(fixture, ACCOUNT, { TICK_MS: '50' });
    try {
      // The simulator lists BTCUSDT and ETHUSDT only (exchangeInfo of 2021-10-22): ccxt says BadSymbol.
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand(intentId, 'buy', 1, { symbol: 'FOO-USDT', clientOrderId: `bl-${intentId}` }),
      );
      const answer = await waitFor(() => events.find((e) => e.intentId === intentId), 'the order answered');
      expect([answer.status, answer.reason]).toEqual(['rejected', 'invalid_order']);
      expect(answer.detail).toContain('no market FOO-USDT on binance');
    } finally {
      await stop();
    }
  });
});
