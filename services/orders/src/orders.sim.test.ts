import { type Clock, type ControlAck, Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { approvedBuy, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimOrders } from './testing/sim-orders';

// The simulator replays binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json as its book
// and the recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as filters.
const API_KEY = 'orders-key';
const SECRET = 'orders-secret';
const clock: Clock = { now: () => Date.now() };
const silent = {
  info() {},
  warn() {},
  error(o: object, m: string) {
    console.error(m, o);
  },
};

let fixture: VenueFixture;

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'orders',
    account: { apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } },
  });
});

afterAll(() => fixture?.close());

async function start(overrides: Record<string, string> = {}) {
  const planned: Array<{ intentId: string; inserted: number }> = [];
  /** Intents whose delivery was a repeat of one recorded, so nothing was planned. */
  const repeated: string[] = [];
  const log = {
    ...silent,
    info(o: object, m: string) {
      if (m === 'order planned') planned.push(o as { intentId: string; inserted: number });
    },
    warn(o: object, m: string) {
      if (m.startsWith('submit repeats')) repeated.push((o as { intentId: string }).intentId);
    },
  };
  const stop = await startSimOrders(
    fixture,
    { apiKey: API_KEY, secret: SECRET },
    { TICK_MS: '50', ...overrides },
    log,
  );
  return { planned, repeated, stop };
}

const client = () => binanceClient(fixture.sim, { apiKey: API_KEY, secret: SECRET });

async function clientIdsOnVenue(): Promise<string[]> {
  const ex = client();
  const trades = await ex.fetchMyTrades('BTC/USDT');
  const orderIds = [...new Set(trades.map((t) => t.order))];
  const open = await ex.fetchOpenOrders('BTC/USDT');
  const ids: string[] = [];
  for (const id of orderIds) ids.push((await ex.fetchOrder(id as string, 'BTC/USDT')).clientOrderId ?? '');
  for (const o of open) if (!orderIds.includes(o.id)) ids.push(o.clientOrderId ?? '');
  return ids;
}

describe('orders service against the exchange simulator', () => {
  it('sends exactly one order for a decision delivered twice and replayed after a restart', async () => {
    const first = await start();
    const riskDecision = subject(Subjects.riskDecision, {});
    await fixture.bus.publish(riskDecision, approvedBuy('intent-dup'));
    await fixture.bus.publish(riskDecision, approvedBuy('intent-dup'));
    const slices = new OrderSliceRepository(fixture.handle.db, clock);
    await waitFor(async () => (await slices.withStatus(['filled'])).length === 1, 'the order to fill');
    await first.stop();

    const second = await start();
    await fixture.bus.publish(riskDecision, approvedBuy('intent-dup'));
    // The replay reached the handler, which planned nothing new: the slice was already recorded.
    await waitFor(() => second.repeated.includes('intent-dup'), 'the replay');
    expect(second.planned.filter((p) => p.intentId === 'intent-dup')).toEqual([]);
    expect(await slices.all()).toHaveLength(1);
    const ids = await clientIdsOnVenue();
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^bl-[0-9a-f]{16}$/);
    await second.stop();
  });

  it('kill during a TWAP: no order after the acknowledgement, open orders cancelled', async () => {
    const running = await start();
    const before = (await clientIdsOnVenue()).length;
    const acks: ControlAck[] = [];
    const sub = await fixture.bus.subscribe(
      subject(Subjects.controlAck, {}),
      (m) => void acks.push(m.payload),
      {
        durable: 'test-acks',
      },
    );
    // A resting limit far below the market, to be cancelled by the kill.
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'resting-1',
      clientOrderId: 'bl-resting-1',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'limit',
      qty: 0.001,
      price: 40000,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'twap-1',
      clientOrderId: 'bl-twap-1',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      qty: 0.005,
      price: null,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'twap', slices: 5, durationMs: 4_000 },
    });
    await waitFor(
      async () => (await clientIdsOnVenue()).length >= before + 2,
      'the resting order and a first slice',
    );
    const kill = await fixture.bus.publish(subject(Subjects.kill, {}), {
      flatten: false,
      reason: 'test kill',
      requestedBy: 'test',
    });
    await waitFor(
      () => acks.find((a) => a.commandId === kill.id && a.service === 'orders'),
      'the orders ack',
    );
    const atAck = await clientIdsOnVenue();
    const slices = new OrderSliceRepository(fixture.handle.db, clock);
    const twap = (await slices.all()).filter((s) => s.intentId === 'twap-1');
    const lastDue = Math.max(...twap.map((s) => s.dueAt));
    await waitFor(() => Date.now() > lastDue + 500, 'the TWAP window to pass', { timeoutMs: 10_000 });
    expect(await clientIdsOnVenue()).toEqual(atAck);
    expect(twap.filter((s) => s.status === 'aborted').length).toBeGreaterThan(0);
    expect(await client().fetchOpenOrders('BTC/USDT')).toEqual([]);
    await sub.stop();
    await running.stop();
  });
});
