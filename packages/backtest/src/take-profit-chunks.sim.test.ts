import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { type Alert, type Clock, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { breakevenPrice, roundToStep, roundUpToStep } from '@ballast/core';
import { createDb, type DbHandle, migrate } from '@ballast/db';
import { CcxtVenue, createCcxtExchange, VenueError, type VenueOrderRequest } from '@ballast/exchange';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { firstRise, replayedCandles, startCandleSim } from '@ballast/exchange-sim/testing';
import { type OrdersDeps, startOrders } from '@ballast/orders-service';
import { type StopsDeps, startStops } from '@ballast/stops-service';
import { createTestDatabase, natsUrl, type TestDatabase, uniqueName, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The orders and stops services together on real NATS and PostgreSQL, trading the Binance simulator
// that replays real BTCUSDT 1h candles (binance-spot-ohlcv/BTCUSDT-1h.csv.gz) from 2021-05-10 00:00
// UTC with the real BTCUSDT filters. The orders service's venue is capped: once a position is open,
// its market maximum drops below the take-profit's sale, so the orders service sells it in chunks
// (intake closeChunks) under one intent, each chunk with its own client id and order events.
// It lives here because @ballast/backtest is the package that runs both services (backtest-runtime).
const KEY = 'tp-chunks-key';
const SECRET = 'tp-chunks-secret';
const POSITION = 'binance:BTC-USDT';
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };

const candles = replayedCandles();

let sim: ExchangeSim;
let testDb: TestDatabase;
let handle: DbHandle;
let servers: string;
let prefix: string;
let bus: NatsBus;
let raw: ReturnType<typeof createCcxtExchange>;
const buses: NatsBus[] = [];
const disposers: AsyncDisposable[] = [];
let stops: Awaited<ReturnType<typeof startStops>>;
let stopsBus: NatsBus;
const alerts: Alert[] = [];
const orderEvents: OrderEvent[] = [];
/** Candles replayed so far; the last one's close is the simulator's last price. */
let replayed = 0;

/**
 * The orders service's venue: the simulator's account, with a market maximum the test sets, a book
 * at the last price (the candle simulator records none), and sells the test refuses or holds.
 */
const capped = {
  marketMaxQty: undefined as number | undefined,
  /** Refuses the sell with this index (0 = the first sale after the entry), as the venue would. */
  refuseSell: undefined as number | undefined,
  /** While set, the sell with this index waits for `release`. */
  holdSell: undefined as number | undefined,
  release: undefined as (() => void) | undefined,
  sells: [] as VenueOrderRequest[],
};

function cappedVenue(): CcxtVenue {
  const venue = new CcxtVenue({
    venue: 'binance',
    exchangeId: 'binance',
    baseUrl: sim.restUrl,
    credentials: { apiKey: KEY, secret: SECRET },
  });
  const rules = venue.marketRules.bind(venue);
  venue.marketRules = async (symbol: string) => {
    const read = await rules(symbol);
    return capped.marketMaxQty === undefined ? read : { ...read, marketMaxQty: capped.marketMaxQty };
  };
  venue.orderBook = async () => {
    const last = candles[replayed - 1]?.close as number;
    return { bids: [[roundToStep(last - 0.01, 0.01), 10]], asks: [[last, 10]] };
  };
  const submit = venue.submit.bind(venue);
  venue.submit = async (order: VenueOrderRequest) => {
    if (order.side === 'sell') {
      const index = capped.sells.push(order) - 1;
      if (index === capped.holdSell) await new Promise<void>((resolve) => (capped.release = resolve));
      if (index === capped.refuseSell)
        throw new VenueError('invalid_order', 'binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}');
    }
    if (order.type === 'market' && capped.marketMaxQty !== undefined && order.qty > capped.marketMaxQty)
      throw new VenueError('invalid_order', 'binance {"code":-1013,"msg":"Filter failure: MARKET_LOT_SIZE"}');
    return submit(order);
  };
  return venue;
}

async function connect(source: string): Promise<NatsBus> {
  const connected = await NatsBus.connect({ servers, prefix, source, clock });
  buses.push(connected);
  return connected;
}

beforeEach(async () => {
  capped.marketMaxQty = undefined;
  capped.refuseSell = undefined;
  capped.holdSell = undefined;
  capped.release = undefined;
  capped.sells = [];
  alerts.length = 0;
  orderEvents.length = 0;
  buses.length = 0;
  disposers.length = 0;
  sim = await startCandleSim(KEY, SECRET);
  replayed = sim.controls.step(1, 'binance-candles');
  raw = createCcxtExchange({
    exchangeId: 'binance',
    baseUrl: sim.restUrl,
    credentials: { apiKey: KEY, secret: SECRET },
  });
  testDb = await createTestDatabase('tpchunks');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  servers = await natsUrl();
  prefix = `${uniqueName('tpchunks')}.`;
  bus = await connect('test');
  await bus.ensureStreams();
  await bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 't-alert',
  });
  await bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void orderEvents.push(m.payload), {
    durable: 't-events',
  });
  const ordersConfig: OrdersDeps['config'] = {
    ORDERS_VENUE_KIND: 'ccxt',
    ORDERS_VENUE: 'binance',
    LIVE_STRATEGIES: [],
    CLIENT_ID_PREFIX: 'bl-',
    MAX_SLIPPAGE_BPS: 50,
    SLIPPAGE_ACTION: 'reject',
    TWAP_SLICES: 5,
    TWAP_DURATION_MS: 60_000,
    TWAP_JITTER: 0.2,
    TWAP_SLIPPAGE_WAITS: 3,
    TICK_MS: 20,
    UNSENT_ENTRY_MAX_AGE_MS: 300_000,
    LOOP_IDLE_READ_MS: 5_000,
    // No streamed book: the venue's (the wrapper's) is read.
    ORDERS_BOOK_MAX_AGE_MS: 0,
    ORDERS_RECV_WINDOW_MS: 10_000,
    ORDERS_CLOCK_SKEW_MS: 1_000,
    RETRY_ATTEMPTS: 1,
    RETRY_BASE_MS: 5,
    PAPER_MAKER_FEE: 0.001,
    PAPER_TAKER_FEE: 0.001,
    PAPER_FEES_IN: 'received',
    PAPER_LATENCY_MS: 0,
    PAPER_INITIAL_BALANCES: {},
  };
  disposers.push(
    await startOrders({
      bus: await connect('orders'),
      db: handle.db,
      clock,
      ids: () => crypto.randomUUID(),
      config: ordersConfig,
      log: silent,
      venue: cappedVenue(),
    }),
  );
  stops = await startStopsService();
  disposers.push(stops);
}, 120_000);

/** The stops service on its own bus connection (`stopsBus`), on the simulator's account. */
async function startStopsService(): Promise<Awaited<ReturnType<typeof startStops>>> {
  const stopsConfig: StopsDeps['config'] = {
    STOPS_VENUE_KIND: 'ccxt',
    STOPS_VENUE: 'binance',
    EXCHANGE_BASE_URL: sim.restUrl,
    EXCHANGE_API_KEY: KEY,
    EXCHANGE_API_SECRET: SECRET,
    STOP_LIMIT_OFFSET_BPS: 50,
    VERIFY_INTERVAL_MS: 250,
    COVERAGE_SAMPLE_MS: 0,
    FALLBACK_STOP_PCT: 0.02,
    TRAIL_MODE: 'off',
    TRAIL_PCT: 0.02,
    TRAIL_ATR_MULTIPLE: 2,
    TRAIL_TIMEFRAME: '1h',
    TP_FRACTIONS: [0.5],
    BREAKEVEN_FEE_RATE: 0.002,
    LOCAL_GRACE_BPS: 10,
    TRADE_RUN_GAP_MS: 60_000,
    PLACE_ATTEMPTS: 3,
    RETRY_BASE_MS: 5,
    CLOSE_CONFIRM_MS: 30_000,
    FLATTEN_HOLD_MAX_MS: 600_000,
    CLOSE_ATTEMPTS: 3,
    CLIENT_ID_PREFIX: 'bl-',
  };
  stopsBus = await connect('stops');
  return startStops({
    bus: stopsBus,
    db: handle.db,
    clock,
    ids: () => crypto.randomUUID(),
    config: stopsConfig,
    log: silent,
    metrics: new Registry(),
  });
}

/** The stops service stopped and started again on the same database, as after a crash. */
async function restartStops(): Promise<void> {
  await stops[Symbol.asyncDispose]();
  disposers.splice(disposers.indexOf(stops), 1);
  await stopsBus.drain();
  buses.splice(buses.indexOf(stopsBus), 1);
  stops = await startStopsService();
  disposers.push(stops);
}

afterEach(async () => {
  capped.release?.();
  for (const disposer of disposers.reverse()) await disposer[Symbol.asyncDispose]();
  for (const connected of buses) await connected.drain();
  if (bus) await deleteStreamsAt(servers, bus.naming);
  await handle?.db.destroy();
  await testDb?.drop();
  await sim?.close();
});

const record = () => stops.manager.record(POSITION);

const openStops = async () =>
  (await raw.fetchOpenOrders('BTC/USDT')).map((o) => ({ amount: o.amount, stopPrice: o.triggerPrice }));

const venueBtc = async () => ((await raw.fetchBalance()).BTC?.total as number | undefined) ?? 0;

/**
 * From flat: a 0.01 BTC long bought through the orders service on a risk decision with TP1 1 % up
 * (TP2 out of reach), its stop verified on the simulator; then the market maximum drops to 0.003, so
 * TP1's sale of 0.005 goes as two chunks of 0.0025. Returns the price at TP1's hour, replayed.
 */
async function openBelowTheMaximum(tag: string): Promise<{ price: number; entry: number }> {
  const { entry: k, up: at } = firstRise(candles, replayed);
  replayed += sim.controls.step(k + 1 - replayed, 'binance-candles');
  const last = candles[k]?.close as number;
  const stop = roundToStep(last * 0.97, 0.01);
  const tp1 = roundUpToStep(last * 1.005, 0.01);
  const intentId = `i-${tag}`;
  await bus.publish(subject(Subjects.riskDecision, {}), {
    approved: true,
    intent: {
      intentId,
      candidateId: `c-${tag}`,
      strategy: 'test',
      qty: 0.01,
      riskAmount: 10,
      exchange: 'binance',
      symbol: 'BTC-USDT',
      positionSide: 'long',
      side: 'buy',
      entry: last,
      stop,
      takeProfits: [tp1, roundToStep(last * 1.2, 0.01)],
    },
  });
  await waitFor(() => record()?.intentId === intentId && record()?.verified, 'the intent stop verified', {
    timeoutMs: 30_000,
  });
  expect(await openStops()).toEqual([{ amount: 0.01, stopPrice: stop }]);
  capped.marketMaxQty = 0.003;
  replayed += sim.controls.step(at + 1 - replayed, 'binance-candles');
  const price = candles[at]?.close as number;
  expect(price).toBeGreaterThanOrEqual(tp1);
  return { price, entry: record()?.entry as number };
}

/** A BTC-USDT trade print at `price`, as the market data service publishes it. */
function print(id: string, price: number) {
  return bus.publish(subject(Subjects.trade, { exchange: 'binance', symbol: 'BTC-USDT' }), {
    exchange: 'binance',
    symbol: 'BTC-USDT',
    tradeId: id,
    price,
    size: 0.1,
    side: 'buy',
    time: clock.now(),
  });
}

describe('a take-profit sold in chunks (its sale above the venue market maximum)', () => {
  it('puts the stop back on what a refused chunk did not sell', { timeout: 90_000 }, async () => {
    const { price, entry } = await openBelowTheMaximum('refused');
    const breakeven = breakevenPrice('long', entry, 0.002, 0.01);
    // The second chunk is refused (a NOTIONAL filter after the price moved, say).
    capped.refuseSell = 1;
    await print('refused-1', price);
    const failed = await waitFor(
      () => alerts.find((a) => a.kind === 'take_profit_failed'),
      'the refused chunk noticed',
      { timeoutMs: 30_000 },
    );
    expect(failed.severity).toBe('warning');
    // One chunk sold: what stays (0.005) and what the refused chunk did not sell (0.0025) are covered.
    await waitFor(() => record()?.qty === 0.0075 && record()?.verified, 'the unsold part covered again', {
      timeoutMs: 30_000,
    });
    expect(capped.sells.map((s) => s.qty)).toEqual([0.0025, 0.0025]);
    expect(await venueBtc()).toBe(0.0075);
    expect(record()).toMatchObject({
      qty: 0.0075,
      stopPrice: breakeven,
      takeProfit: null,
      ladder: { taken: 0 },
    });
    expect(await openStops()).toEqual([{ amount: 0.0075, stopPrice: breakeven }]);
  });

  it('moves the ladder once, after the last chunk filled, across a restart of the stops service', {
    timeout: 90_000,
  }, async () => {
    const { price, entry } = await openBelowTheMaximum('filled');
    const breakeven = breakevenPrice('long', entry, 0.002, 0.01);
    // The second chunk waits until the first one's fill has reached the stops service.
    capped.holdSell = 1;
    await print('filled-1', price);
    await waitFor(() => capped.release, 'the second chunk sent', { timeoutMs: 30_000 });
    const first = capped.sells[0];
    await waitFor(
      () => orderEvents.find((e) => e.clientOrderId === first?.clientOrderId && e.status === 'filled'),
      'the first chunk filled',
    );
    // The first chunk filled and was read: the take-profit is still selling, the ladder stays.
    await waitFor(
      () => Object.keys(record()?.takeProfit?.fills ?? {}).length === 1,
      "the first chunk's fill counted",
    );
    expect(record()).toMatchObject({
      qty: 0.005,
      ladder: { taken: 0 },
      takeProfit: { level: 1, qty: 0.005 },
    });
    // A restart in the middle of the sale still knows what the first chunk sold.
    await restartStops();
    expect(record()?.takeProfit?.fills).toEqual({ [first?.clientOrderId as string]: 0.0025 });
    capped.release?.();
    await waitFor(() => record()?.ladder.taken === 1 && record()?.takeProfit === null, 'TP1 taken', {
      timeoutMs: 30_000,
    });
    expect(capped.sells.map((s) => s.qty)).toEqual([0.0025, 0.0025]);
    expect(await venueBtc()).toBe(0.005);
    expect(alerts.filter((a) => a.kind === 'take_profit_failed')).toEqual([]);
    await waitFor(() => record()?.verified, 'the stop on what stays verified');
    expect(record()).toMatchObject({ qty: 0.005, stopPrice: breakeven });
    expect(await openStops()).toEqual([{ amount: 0.005, stopPrice: breakeven }]);
  });
});
