import { MemoryBus, MemoryHub, randomIds } from '@ballast/bus';
import { type Clock, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import {
  BotStateRepository,
  createDb,
  type DbHandle,
  migrate,
  OrderSliceRepository,
  type SliceStatus,
} from '@ballast/db';
import { CcxtVenue, type VenueOrderRequest } from '@ballast/exchange';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import { createTestDatabase, sharedDataDir, type TestDatabase, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersConfigSchema } from './config';
import { KillStore } from './kill-store';
import { OrderManager } from './order-manager';

// The simulator fills against binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, with the
// recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz) as market rules.
const API_KEY = 'loop-key';
const SECRET = 'loop-secret';
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };

/** The orders table, counting each read the send loop makes of planned and of open slices. */
class CountedSlices extends OrderSliceRepository {
  readonly reads = { planned: 0, open: 0 };
  override withStatus(statuses: readonly SliceStatus[]) {
    // Start-up's recovery reads `sending` and `open` together; the loop reads one status at a time.
    if (statuses.length === 1 && statuses[0] === 'planned') this.reads.planned++;
    if (statuses.length === 1 && statuses[0] === 'open') this.reads.open++;
    return super.withStatus(statuses);
  }
}

let sim: ExchangeSim;
let testDb: TestDatabase;
let handle: DbHandle;

beforeAll(async () => {
  sim = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: ['BTCUSDT'],
      apiKey: API_KEY,
      apiSecret: SECRET,
      balances: { USDT: '100000', BTC: '0' },
    },
  });
  testDb = await createTestDatabase('orders_loop');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
});

afterAll(async () => {
  await handle?.db.destroy();
  await testDb?.drop();
  await sim?.close();
});

async function start() {
  const hub = new MemoryHub();
  const bus = new MemoryBus({ source: 'orders', clock, ids: randomIds(clock), hub });
  const slices = new CountedSlices(handle.db, clock);
  const venue = new CcxtVenue({
    venue: 'binance',
    exchangeId: 'binance',
    baseUrl: sim.restUrl,
    credentials: { apiKey: API_KEY, secret: SECRET },
  });
  // What the orders table held for each order at the moment the venue heard of it.
  const atSubmit = new Map<string, SliceStatus | undefined>();
  const submit = venue.submit.bind(venue);
  venue.submit = async (order: VenueOrderRequest) => {
    atSubmit.set(order.clientOrderId, (await slices.get(order.clientOrderId))?.status);
    return submit(order);
  };
  const manager = new OrderManager({
    bus,
    venue,
    slices,
    kill: new KillStore(new BotStateRepository(handle.db, clock), 'orders-loop'),
    clock,
    config: ordersConfigSchema.parse({
      ORDERS_VENUE_KIND: 'ccxt',
      TICK_MS: '10',
      LOOP_IDLE_READ_MS: '600000',
      ORDERS_BOOK_MAX_AGE_MS: '0',
    }),
    log: silent,
    random01: () => 0.5,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  let ticks = 0;
  const tick = manager.tick.bind(manager);
  manager.tick = () => {
    ticks++;
    return tick();
  };
  const events: OrderEvent[] = [];
  const testBus = new MemoryBus({ source: 'test', clock, ids: randomIds(clock), hub });
  await testBus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-events',
  });
  await manager.start();
  return { manager, slices, atSubmit, events, testBus, ticks: () => ticks };
}

describe('the send loop', () => {
  it('reads the orders table once while nothing is due or open, and sends a direct order on its record', {
    timeout: 60_000,
  }, async () => {
    const { manager, slices, atSubmit, events, testBus, ticks } = await start();
    try {
      await waitFor(() => ticks() >= 30, 'thirty loop ticks', { timeoutMs: 30_000 });
      expect(slices.reads).toEqual({ planned: 1, open: 1 });

      await testBus.publish(subject(Subjects.riskDecision, {}), {
        approved: true,
        intent: {
          intentId: 'loop-direct',
          candidateId: 'cand-loop-direct',
          strategy: 'test',
          exchange: 'binance',
          symbol: 'BTC-USDT',
          positionSide: 'long',
          side: 'buy',
          qty: 0.01,
          entry: 58001.04,
          stop: 57000,
          takeProfits: [60000],
          riskAmount: 10.01,
        },
      });
      const filled = await waitFor(
        () => events.find((e) => e.intentId === 'loop-direct' && e.status === 'filled'),
        'the direct order filled',
        { timeoutMs: 30_000 },
      );
      // Recorded (and marked sending) before the venue heard of it; sent without a read of the table.
      expect(atSubmit.get(filled.clientOrderId)).toBe('sending');
      expect(slices.reads.planned).toBe(1);
      expect((await slices.get(filled.clientOrderId))?.status).toBe('filled');
    } finally {
      await manager.stop();
    }
  });

  it('reads the table for a TWAP only once a slice falls due, and sends every slice once', {
    timeout: 60_000,
  }, async () => {
    const { manager, slices, atSubmit, testBus, ticks } = await start();
    try {
      await waitFor(() => ticks() >= 5, 'five loop ticks', { timeoutMs: 30_000 });
      const readsBefore = slices.reads.planned;
      const ticksBefore = ticks();
      await testBus.publish(subject(Subjects.orderCommand, {}), {
        kind: 'submit',
        intentId: 'loop-twap',
        clientOrderId: 'bl-loop-twap',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        side: 'buy',
        type: 'market',
        qty: 0.004,
        price: null,
        triggerPrice: null,
        reduceOnly: false,
        maxSlippageBps: null,
        execution: { algo: 'twap', slices: 2, durationMs: 1_500 },
      });
      const sent = await waitFor(
        async () => {
          const all = (await slices.all()).filter((s) => s.intentId === 'loop-twap');
          return all.length === 2 && all.every((s) => s.status === 'filled') ? all : undefined;
        },
        'both TWAP slices filled',
        { timeoutMs: 30_000 },
      );
      expect(sent.map((s) => atSubmit.get(s.clientOrderId))).toEqual(['sending', 'sending']);
      // Far fewer reads than ticks: one per slice falling due (and one per pass that follows a plan).
      const reads = slices.reads.planned - readsBefore;
      expect(reads).toBeGreaterThanOrEqual(2);
      expect(reads).toBeLessThanOrEqual(4);
      expect(ticks() - ticksBefore).toBeGreaterThan(reads * 5);
    } finally {
      await manager.stop();
    }
  });
});
