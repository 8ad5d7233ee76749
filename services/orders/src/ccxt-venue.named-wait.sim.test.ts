import { CcxtStopVenue, CcxtVenue, VenueError } from '@ballast/exchange';
import { type SimDbFixture, startVenueFixture } from '@ballast/exchange-sim/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { simVenueConfig } from './testing/sim-client';

// The simulator answers as Binance does: HTTP 418 (an IP ban) or 429, each with Retry-After, for the
// next calls under a path. Every request sent before a Binance ban lifts prolongs it (2 minutes up to
// 3 days), for the whole IP: the order, stop and reconciliation venues must send nothing until then.
const ACCOUNT = { apiKey: 'named-wait-key', secret: 'named-wait-secret' };

let fixture: SimDbFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'ccxt_venue_named_wait',
    account: { ...ACCOUNT, balances: { USDT: '1000', BTC: '0.01' } },
    bus: false,
  });
});

afterAll(() => fixture?.close());

const config = () => simVenueConfig(fixture.sim, ACCOUNT);

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => err,
  );

/** The rate-limit faults the simulator has not answered yet: each answered one was a request sent. */
const faultsLeft = () => fixture.sim.controls.state().httpFaults.reduce((n, f) => n + f.count, 0);

it('sends nothing more, on any path, while an IP ban (418) the venue answered lasts', async () => {
  const venue = new CcxtVenue(config());
  const stops = new CcxtStopVenue({ ...config(), limitOffsetBps: 50 });
  await venue.marketRules('BTC-USDT');
  await stops.marketRules('BTC-USDT');
  fixture.sim.controls.failHttp({
    kind: 'rate_limit',
    status: 418,
    retryAfterSeconds: 120,
    count: 10,
    pathPrefix: '/api/v3/',
  });
  const banned = await failure(venue.fetchByClientId('BTC-USDT', 'bl-ban-1'));
  expect(banned).toBeInstanceOf(VenueError);
  expect((banned as VenueError).reason).toBe('rate_limited');
  expect(faultsLeft()).toBe(9);

  const after = [
    await failure(venue.fetchByClientId('BTC-USDT', 'bl-ban-1')),
    await failure(
      venue.submit({
        clientOrderId: 'bl-ban-2',
        symbol: 'BTC-USDT',
        side: 'buy',
        type: 'limit',
        qty: 0.001,
        price: 50_000,
        reduceOnly: false,
      }),
    ),
    await failure(venue.orderBook('BTC-USDT', 5)),
    await failure(venue.openOrders()),
  ];
  for (const err of after) {
    expect(err).toBeInstanceOf(VenueError);
    expect((err as VenueError).reason).toBe('rate_limited');
    expect((err as VenueError).message).toMatch(/asked us to wait until/);
  }
  // None of them reached the venue: the ban was not prolonged.
  expect(faultsLeft()).toBe(9);

  // The stops service's venue (its own process and instance) learns of the ban from its own answer.
  expect(((await failure(stops.fetchStop('BTC-USDT', 'bl-ban-stop'))) as VenueError).reason).toBe(
    'rate_limited',
  );
  const held = await failure(stops.cancelStop('BTC-USDT', 'bl-ban-stop'));
  expect((held as VenueError).message).toMatch(/asked us to wait until/);
  expect(faultsLeft()).toBe(8);
  fixture.sim.controls.clearHttpFaults();
});

it('waits out a short Retry-After (429) before the next request instead of failing it', async () => {
  const venue = new CcxtVenue(config());
  await venue.marketRules('BTC-USDT');
  fixture.sim.controls.failHttp({
    kind: 'rate_limit',
    retryAfterSeconds: 1,
    count: 1,
    pathPrefix: '/api/v3/',
  });
  const limited = await failure(venue.fetchByClientId('BTC-USDT', 'bl-429'));
  expect((limited as VenueError).reason).toBe('rate_limited');
  const from = performance.now();
  await expect(venue.fetchByClientId('BTC-USDT', 'bl-429')).resolves.toBeUndefined();
  expect(performance.now() - from).toBeGreaterThanOrEqual(900);
});
