import { type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { CcxtVenue, createCcxtExchange } from '@ballast/exchange';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// ccxt's Binance turns a price on a market order into quoteOrderQty = qty × price and drops the
// quantity: live would trade another amount of coin than paper, the simulator or the backtest.
const API_KEY = 'market-price-key';
const SECRET = 'market-price-secret';

let fixture: VenueFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_market_price',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
});

afterAll(() => fixture?.close());

describe('a price on a market order', () => {
  it('is refused by the orders service as invalid_order, and nothing reaches the venue', async () => {
    const events: OrderEvent[] = [];
    const sub = await fixture.bus.subscribe(
      subject(Subjects.orderEvent, {}),
      (m) => void events.push(m.payload),
      { durable: 'test-market-price-events' },
    );
    const stopOrders = await startSimOrders(fixture, { apiKey: API_KEY, secret: SECRET }, { TICK_MS: '50' });
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'priced-market',
      clientOrderId: 'bl-priced-market',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      qty: 0.001,
      price: 40000,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    await waitFor(() => events.some((e) => e.intentId === 'priced-market'), 'the refusal');
    expect(events.find((e) => e.intentId === 'priced-market')).toMatchObject({
      status: 'rejected',
      reason: 'invalid_order',
      detail: expect.stringContaining('a market order carries no price'),
    });
    const client = binanceClient(fixture.sim, { apiKey: API_KEY, secret: SECRET });
    expect(await client.fetchMyTrades('BTC/USDT')).toEqual([]);
    await sub.stop();
    await stopOrders();
  });

  it('is not sent by the ccxt venue: a market buy of 0.001 fills 0.001, not a quote amount', async () => {
    const exchange = createCcxtExchange({
      exchangeId: 'binance',
      baseUrl: fixture.sim.restUrl,
      credentials: { apiKey: API_KEY, secret: SECRET },
    });
    const venue = new CcxtVenue({ venue: 'binance', exchangeId: 'binance' }, exchange);
    const placed = await venue.submit({
      clientOrderId: 'bl-ccxt-priced-market',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      qty: 0.001,
      price: 40000,
      reduceOnly: false,
    });
    expect(placed).toMatchObject({ status: 'filled', filledQty: 0.001 });
  });
});
