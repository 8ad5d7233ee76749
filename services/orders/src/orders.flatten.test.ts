import { NatsBus } from '@ballast/bus';
import { type Clock, type ControlAck, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { natsUrl, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersConfigSchema } from './config';
import { startOrders } from './service';
import { marketCommand } from './testing/market-command';
import { simClient } from './testing/sim-client';

// The simulator's book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json,
// its filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const API_KEY = 'flatten-key';
const SECRET = 'flatten-secret';
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };

let fixture: VenueFixture;
const acks: ControlAck[] = [];
const events: OrderEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders_flatten',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
    durable: 'test-acks',
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-events',
  });
});

afterAll(() => fixture?.close());

const venueBtc = async () =>
  (
    (await simClient(fixture.sim, API_KEY, SECRET).fetchBalance()) as unknown as {
      total: Record<string, number>;
    }
  ).total.BTC ?? 0;

async function buy(intentId: string, qty: number): Promise<void> {
  await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand(intentId, 'buy', qty));
  await waitFor(
    () => events.find((e) => e.intentId === intentId && e.status === 'filled'),
    `${intentId} to fill`,
  );
}

async function killAndFlatten(reason: string): Promise<ControlAck> {
  const kill = await fixture.bus.publish(subject(Subjects.kill, {}), {
    flatten: true,
    reason,
    requestedBy: 'test',
  });
  return waitFor(() => acks.find((a) => a.commandId === kill.id && a.service === 'orders'), 'the kill ack', {
    timeoutMs: 20_000,
  });
}

describe('kill --flatten in the orders service', () => {
  it('closes with a reduce-only market sell and confirms flat, or not, from the venue balances', {
    timeout: 60_000,
  }, async () => {
    const serviceBus = await NatsBus.connect({
      servers: await natsUrl(),
      prefix: fixture.bus.naming.prefix,
      source: 'orders',
      clock,
    });
    const service = await startOrders({
      bus: serviceBus,
      db: fixture.handle.db,
      clock,
      ids: () => crypto.randomUUID(),
      config: ordersConfigSchema.parse({
        ORDERS_VENUE_KIND: 'ccxt',
        EXCHANGE_BASE_URL: fixture.sim.restUrl,
        EXCHANGE_API_KEY: API_KEY,
        EXCHANGE_API_SECRET: SECRET,
        TICK_MS: '20',
      }),
      log: silent,
    });
    await buy('open-1', 0.01);
    expect(await venueBtc()).toBe(0.01);

    const flat = await killAndFlatten('flatten test');
    expect(flat).toMatchObject({ service: 'orders', command: 'kill', engaged: true });
    expect(flat.detail).toBe(
      'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT flat (venue BTC 0)',
    );
    expect(await venueBtc()).toBe(0);
    const close = (await new OrderSliceRepository(fixture.handle.db, clock).all()).find((s) =>
      s.intentId.startsWith('flatten:'),
    );
    expect(close).toMatchObject({
      side: 'sell',
      type: 'market',
      reduceOnly: true,
      qty: 0.01,
      status: 'filled',
    });

    const resume = await fixture.bus.publish(subject(Subjects.resume, {}), {
      confirm: true,
      reason: 'again',
      requestedBy: 'test',
    });
    await waitFor(
      () => acks.find((a) => a.commandId === resume.id && a.service === 'orders'),
      'the resume ack',
    );
    await buy('open-2', 0.01);
    // Bought on the same account behind the service's back: the local fold knows only 0.01.
    await simClient(fixture.sim, API_KEY, SECRET).createOrder('BTC/USDT', 'market', 'buy', 0.005);
    const notFlat = await killAndFlatten('flatten with an outside holding');
    expect(notFlat.detail).toBe(
      'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT NOT flat: the venue still holds 0.005 (0.005 tradable) BTC',
    );
    expect(await venueBtc()).toBe(0.005);
    await service[Symbol.asyncDispose]();
    await serviceBus.drain();
  });
});
