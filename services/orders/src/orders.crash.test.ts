import { fileURLToPath } from 'node:url';
import { type Clock, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { natsUrl, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChildService } from './testing/child-service';
import { ordersOnVenue, simClient } from './testing/sim-client';

// The simulator in-process, its book the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// and its filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz; the service as a child process.
const API_KEY = 'crash-key';
const SECRET = 'crash-secret';
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const clock: Clock = { now: () => Date.now() };
const children: ChildService[] = [];

let fixture: VenueFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_crash',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
});

afterAll(async () => {
  for (const child of children) await child.stop('SIGKILL');
  await fixture?.close();
});

async function startService(): Promise<ChildService> {
  const child = new ChildService(main, {
    NATS_URL: await natsUrl(),
    DATABASE_URL: fixture.testDb.url,
    BUS_PREFIX: fixture.prefix,
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    ORDERS_VENUE_KIND: 'ccxt',
    ORDERS_VENUE: 'binance',
    EXCHANGE_BASE_URL: fixture.sim.restUrl,
    EXCHANGE_API_KEY: API_KEY,
    EXCHANGE_API_SECRET: SECRET,
    TICK_MS: '20',
  });
  children.push(child);
  await waitFor(() => child.logged('started'), 'the orders service to start', { timeoutMs: 60_000 });
  return child;
}

it('resumes a TWAP after SIGKILL: every slice sent once, the total exactly the target', {
  timeout: 180_000,
}, async () => {
  const first = await startService();
  const target = 0.012;
  const slices = 12;
  await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
    kind: 'submit',
    intentId: 'crash-twap',
    clientOrderId: 'bl-crash-twap',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'buy',
    type: 'market',
    qty: target,
    price: null,
    triggerPrice: null,
    reduceOnly: false,
    maxSlippageBps: null,
    execution: { algo: 'twap', slices, durationMs: 6_000 },
  });
  const venue = () => ordersOnVenue(fixture.sim, API_KEY, SECRET);
  await waitFor(async () => (await venue()).length >= 3, 'three slices on the venue', { timeoutMs: 30_000 });
  expect(await first.stop('SIGKILL')).toBeNull();
  const atKill = (await venue()).length;
  expect(atKill).toBeLessThan(slices);

  await startService();
  const repo = new OrderSliceRepository(fixture.handle.db, clock);
  await waitFor(
    async () => (await repo.all()).filter((s) => s.status === 'filled').length === slices,
    'every slice to fill after the restart',
    { timeoutMs: 60_000 },
  );
  const onVenue = await venue();
  const recorded = (await repo.all()).map((s) => s.clientOrderId).sort();
  // One venue order per slice, under the slice's own client id: nothing was sent twice.
  expect(onVenue.map((o) => o.clientOrderId).sort()).toEqual(recorded);
  expect(new Set(recorded).size).toBe(slices);
  const total = onVenue.reduce((s, o) => s + o.filled, 0);
  expect(total.toFixed(8)).toBe(target.toFixed(8));
  const balances = (await simClient(fixture.sim, API_KEY, SECRET).fetchBalance()) as unknown as {
    total: Record<string, number>;
  };
  expect(balances.total.BTC).toBe(target);
});
