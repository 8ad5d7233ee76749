import { sumLots } from '@ballast/core';
import { CcxtVenue, createCcxtExchange, VenueError } from '@ballast/exchange';
import { type SimDbFixture, startVenueFixture } from '@ballast/exchange-sim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The simulator fills against binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (1,000 ask
// levels from 58001.04, one trade per level taken) and replays the same day's frames
// (2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz: 1,227 BTCUSDT prints, all
// between 57974.41 and 58018.03), each print one maker trade of a resting order it reaches. Binance's
// GET /api/v3/myTrades lists 500 trades unless asked for more, 1,000 at most.
const ACCOUNT = { apiKey: 'fills-key', secret: 'fills-secret' };

let fixture: SimDbFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'ccxt_venue_fills',
    account: { ...ACCOUNT, balances: { USDT: '100000000', BTC: '0' } },
    bus: false,
  });
});

afterAll(() => fixture?.close());

const venueOn = (
  exchange = createCcxtExchange({
    exchangeId: 'binance',
    baseUrl: fixture.sim.restUrl,
    credentials: ACCOUNT,
  }),
) => new CcxtVenue({ venue: 'binance', exchangeId: 'binance' }, exchange);

const buy = (clientOrderId: string, qty: number, price: number | null) => ({
  clientOrderId,
  symbol: 'BTC-USDT',
  side: 'buy' as const,
  type: price === null ? ('market' as const) : ('limit' as const),
  qty,
  price,
  reduceOnly: false,
});

const filledBy = (fills: readonly { qty: number }[]) => sumLots(fills.map((f) => f.qty));

describe('CcxtVenue: every trade of an order, however many', () => {
  it('reports a 60 BTC market buy with all its trades (more than one default page of 500)', async () => {
    const placed = await venueOn().submit(buy('fills-market', 60, null));

    expect(placed).toMatchObject({ status: 'filled', filledQty: 60 });
    expect(placed.fills.length).toBeGreaterThan(500);
    expect(filledBy(placed.fills)).toBe(60);
  });

  it('reads a resting order filled by more than 1,000 trades page by page, each trade once', async () => {
    const venue = venueOn();
    // Above every replayed print: it takes the asks up to 58019, then each print fills it as maker.
    const placed = await venue.submit(buy('fills-resting', 40, 58019));
    expect(placed.status).toBe('partially_filled');
    expect(fixture.sim.controls.step(10_000)).toBeGreaterThan(1_227);

    const seen = await venue.fetchByClientId('BTC-USDT', 'fills-resting');
    expect(seen?.status).toBe('partially_filled');
    expect(seen?.fills.length).toBeGreaterThan(1_000);
    expect(new Set(seen?.fills.map((f) => f.tradeId)).size).toBe(seen?.fills.length);
    expect(filledBy(seen?.fills ?? [])).toBe(seen?.filledQty);
    expect(seen?.fills.filter((f) => f.liquidity === 'maker').length).toBeGreaterThan(1_000);
  });

  it('refuses an order whose listed trades fall short of its filled quantity as fills_incomplete', async () => {
    // Binance's trade list lagging its order: each answer of GET /api/v3/myTrades leaves out its last trade.
    const exchange = createCcxtExchange({
      exchangeId: 'binance',
      baseUrl: fixture.sim.restUrl,
      credentials: ACCOUNT,
    });
    const send = exchange.fetch.bind(exchange);
    exchange.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
      const answer: unknown = await send(url, method, headers, body);
      const lagging = new URL(url).pathname === '/api/v3/myTrades' && Array.isArray(answer);
      return lagging ? answer.slice(0, -1) : answer;
    };
    const venue = venueOn(exchange);

    // Reported landed, nothing filled yet: the order manager looks it up again.
    const placed = await venue.submit(buy('fills-lagging', 0.01, null));
    expect(placed).toMatchObject({ status: 'accepted', filledQty: 0, fills: [] });

    const lookup = await venue.fetchByClientId('BTC-USDT', 'fills-lagging').catch((err: unknown) => err);
    expect(lookup).toBeInstanceOf(VenueError);
    expect(lookup).toMatchObject({ reason: 'fills_incomplete', retryable: true });
    expect((lookup as VenueError).message).toMatch(/order \d+ filled 0\.01 but its 0 trades add up to 0$/);

    // Read straight, the same order has all its trades.
    const straight = await venueOn().fetchByClientId('BTC-USDT', 'fills-lagging');
    expect(straight).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(filledBy(straight?.fills ?? [])).toBe(0.01);
  });
});
