import { type Bus, deleteStreamsAt, NatsBus, publishThrough } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type OrderCommand,
  type OrderEvent,
  type PositionEvent,
  type StopEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { breakevenPrice, roundToStep, roundUpToStep } from '@ballast/core';
import { createDb, type DbHandle, migrate } from '@ballast/db';
import { CcxtVenue, createCcxtExchange } from '@ballast/exchange';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { firstRise, replayedCandles, startCandleSim } from '@ballast/exchange-sim/testing';
import { createTestDatabase, natsUrl, type TestDatabase, uniqueName, waitFor } from '@ballast/testkit';
import { type Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stopsConfigSchema } from './config';
import { startStops } from './service';

// The Binance simulator replays real BTCUSDT 1h candles (binance-spot-ohlcv/BTCUSDT-1h.csv.gz) from
// 2021-05-10 00:00 UTC, with the real BTCUSDT filters (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
// This test plays the orders service: it trades on the simulator and publishes the position events.
const KEY = 'stops-key';
const SECRET = 'stops-secret';
const POSITION = 'binance:BTC-USDT';
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };

const candles = replayedCandles();

let sim: ExchangeSim;
let testDb: TestDatabase;
let handle: DbHandle;
let bus: NatsBus;
let servers: string;
let orders: CcxtVenue;
let raw: ReturnType<typeof createCcxtExchange>;
let service: Awaited<ReturnType<typeof startStops>>;
let serviceBus: NatsBus;
const registry = new Registry();
const stopEvents: StopEvent[] = [];
const alerts: Alert[] = [];
const commands: OrderCommand[] = [];
/** Candles replayed so far; the last one's close is the simulator's last price. */
let replayed = 0;

beforeAll(async () => {
  sim = await startCandleSim(KEY, SECRET);
  replayed = sim.controls.step(1, 'binance-candles');
  const credentials = { apiKey: KEY, secret: SECRET };
  orders = new CcxtVenue({ venue: 'binance', exchangeId: 'binance', baseUrl: sim.restUrl, credentials });
  raw = createCcxtExchange({ exchangeId: 'binance', baseUrl: sim.restUrl, credentials });

  testDb = await createTestDatabase('stopssim');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  servers = await natsUrl();
  const prefix = `${uniqueName('stopssim')}.`;
  bus = await NatsBus.connect({ servers, prefix, source: 'test', clock });
  await bus.ensureStreams();
  await bus.subscribe(subject(Subjects.stopEvent, {}), (m) => void stopEvents.push(m.payload), {
    durable: 't-stop',
  });
  await bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
    durable: 't-alert',
  });
  await bus.subscribe(subject(Subjects.orderCommand, {}), (m) => void commands.push(m.payload), {
    durable: 't-cmd',
  });
  serviceBus = await NatsBus.connect({ servers, prefix, source: 'stops', clock });
  service = await startStops({
    bus: withOrdersAtOnce(serviceBus),
    db: handle.db,
    clock,
    ids: () => crypto.randomUUID(),
    config: stopsConfigSchema.parse({
      STOPS_VENUE_KIND: 'ccxt',
      STOPS_VENUE: 'binance',
      EXCHANGE_BASE_URL: sim.restUrl,
      EXCHANGE_API_KEY: KEY,
      EXCHANGE_API_SECRET: SECRET,
      VERIFY_INTERVAL_MS: '250',
      RETRY_BASE_MS: '5',
    }),
    log: silent,
    metrics: registry,
  });
}, 120_000);

afterAll(async () => {
  await service?.[Symbol.asyncDispose]();
  await serviceBus?.drain();
  await bus?.drain();
  if (bus) await deleteStreamsAt(servers, bus.naming);
  await handle?.db.destroy();
  await testDb?.drop();
  await sim?.close();
});

/**
 * When set, plays the orders service at its fastest: each order command the stops service sends is
 * carried out on the simulator before that service takes its next step.
 */
let ordersAtOnce: ((command: OrderCommand) => Promise<void>) | undefined;

function withOrdersAtOnce(inner: Bus): Bus {
  return publishThrough(inner, async (on, payload, options) => {
    const sent = await inner.publish(on, payload, options);
    if (on.family.name === Subjects.orderCommand.name && ordersAtOnce)
      await ordersAtOnce(payload as OrderCommand);
    return sent;
  });
}

async function coverage(): Promise<number | undefined> {
  return (await registry.getSingleMetric('ballast_stops_coverage_ratio')?.get())?.values[0]?.value;
}

/** `chain`: the decision's, for an entry (the orders service publishes it in that chain). */
async function position(
  status: PositionEvent['status'],
  qty: number,
  avgEntry: number,
  chain?: string,
): Promise<void> {
  heldQty = qty;
  const where = { positionId: POSITION, exchange: 'binance', symbol: 'BTC-USDT', side: 'long' } as const;
  await bus.publish(
    subject(Subjects.positionEvent, {}),
    { ...where, status, qty, avgEntry, strategy: 'test', realizedPnl: 0, fees: 0 },
    chain === undefined ? {} : { correlationId: chain },
  );
}

/** The position our books hold, as the last position event reported it. */
let heldQty = 0;

/**
 * An order command carried out as the orders service does: sent to the simulator, then its order
 * event and the position it leaves published. `refuse`: the simulator answers 503 and it gives up.
 */
async function carryOut(command: OrderCommand, refuse: boolean): Promise<void> {
  if (command.kind !== 'submit') return;
  const order: Omit<OrderEvent, 'status' | 'venueOrderId' | 'filledQty' | 'avgPrice' | 'reason' | 'detail'> =
    {
      intentId: command.intentId,
      clientOrderId: command.clientOrderId,
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: command.side,
      type: 'market',
      qty: command.qty,
      fill: null,
    };
  if (refuse)
    await fetch(`${sim.restUrl}/_sim/http/fault`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'server_error', count: 1, pathPrefix: '/api/v3/order' }),
    });
  try {
    const placed = await orders.submit({
      clientOrderId: command.clientOrderId,
      symbol: command.symbol,
      side: command.side,
      type: 'market',
      qty: command.qty,
      price: null,
      reduceOnly: command.reduceOnly,
    });
    await bus.publish(subject(Subjects.orderEvent, {}), {
      ...order,
      status: 'filled',
      venueOrderId: placed.venueOrderId,
      filledQty: placed.filledQty,
      avgPrice: placed.avgPrice,
      reason: null,
      detail: null,
    });
  } catch (err) {
    await bus.publish(subject(Subjects.orderEvent, {}), {
      ...order,
      status: 'rejected',
      venueOrderId: null,
      filledQty: 0,
      avgPrice: null,
      reason: 'unknown',
      detail: String(err).slice(0, 300),
    });
    return;
  }
  const left = roundToStep(heldQty - command.qty, 0.00001);
  await position(left > 0 ? 'changed' : 'closed', left, service.manager.record(POSITION)?.entry ?? 1);
}

/** A market order on the simulator, as the orders service would send it. */
async function trade(side: 'buy' | 'sell', id: string, qty = 0.01) {
  const order = await orders.submit({
    clientOrderId: id,
    symbol: 'BTC-USDT',
    side,
    type: 'market',
    qty,
    price: null,
    reduceOnly: side === 'sell',
  });
  expect(order).toMatchObject({ status: 'filled', filledQty: qty });
  return order.avgPrice as number;
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

const events = (kind: StopEvent['kind']) =>
  stopEvents.filter((e) => e.positionId === POSITION && e.kind === kind);
const openStops = async () =>
  (await raw.fetchOpenOrders('BTC/USDT')).map((o) => ({
    clientOrderId: o.clientOrderId,
    type: (o.info as { type: string }).type,
    status: (o.info as { status: string }).status,
    side: o.side,
    amount: o.amount,
    stopPrice: o.triggerPrice,
  }));

/**
 * Opens, from a flat account, an 18 USDT long at the next hour that rises 1 %, with TP1 1 % up and
 * its intent stop verified on the simulator: half of it (9 USDT) is below BTCUSDT's 10 USDT minimum
 * notional, as a sale at TP1 and as the stop-limit on what would stay, so TP1 sells all of it.
 * Returns the index of TP1's hour too.
 */
async function openTooSmallToSplit(tag: string): Promise<{ qty: number; stop: number; at: number }> {
  const record = () => service.manager.record(POSITION);
  // Whatever an earlier test left open is closed first: its stop cancelled, its coins sold.
  if (record()) {
    await position('closed', 0, record()?.entry ?? 1);
    await waitFor(() => record() === undefined, 'earlier position retired');
  }
  const left = (await raw.fetchBalance()).BTC?.free ?? 0;
  if (left > 0) await trade('sell', `flat-${tag}`, left);
  const { entry: k, up: at } = firstRise(candles, replayed);
  replayed += sim.controls.step(k + 1 - replayed, 'binance-candles');
  const qty = roundUpToStep(18 / (candles[k]?.close as number), 0.00001);
  const entry = await trade('buy', `entry-${tag}`, qty);
  const stop = roundToStep(entry * 0.97, 0.01);
  const tp1 = roundToStep(entry * 1.01, 0.01);
  const intentId = `i-${tag}`;
  const intent = { intentId, candidateId: `c-${tag}`, strategy: 'test', qty, riskAmount: 1 };
  const where = { exchange: 'binance', symbol: 'BTC-USDT', positionSide: 'long', side: 'buy' } as const;
  const decision = await bus.publish(subject(Subjects.riskDecision, {}), {
    approved: true,
    intent: { ...intent, ...where, entry, stop, takeProfits: [tp1, roundToStep(entry * 1.2, 0.01)] },
  });
  await waitFor(() => service.manager.hasIntent(POSITION), 'intent seen');
  await position('opened', qty, entry, decision.correlationId);
  await waitFor(() => record()?.intentId === intentId && record()?.verified, 'the intent stop verified', {
    timeoutMs: 30_000,
  });
  expect(await openStops()).toMatchObject([{ amount: qty, stopPrice: stop }]);
  return { qty, stop, at };
}

describe('stops service: exchange-native stops on the Binance simulator (NATS + PostgreSQL)', () => {
  it('flattens and raises a critical alert when the simulator refuses the stop', async () => {
    await fetch(`${sim.restUrl}/_sim/orders/refuse-stops`, { method: 'POST', body: '{"count":1}' });
    const entry = await trade('buy', 'entry-1');
    await position('opened', 0.01, entry);
    const alert = await waitFor(() => alerts.find((a) => a.kind === 'stop_placement_failed'), 'alert', {
      timeoutMs: 30_000,
    });
    expect(alert.severity).toBe('critical');
    expect(alert.message).toContain('MAX_NUM_ALGO_ORDERS');
    const flatten = await waitFor(() => commands.find((c) => c.kind === 'submit'), 'flatten command');
    expect(flatten).toMatchObject({ side: 'sell', type: 'market', qty: 0.01, reduceOnly: true });
    expect(events('failed')).toHaveLength(1);
    expect(events('flattened')).toHaveLength(1);
    expect(await openStops()).toEqual([]);
    expect(await coverage()).toBe(0);
    // The orders service carries out the flatten and reports the position closed.
    await trade('sell', 'flatten-1');
    await position('closed', 0, entry);
    await waitFor(() => service.manager.record(POSITION) === undefined, 'record retired');
    await waitFor(async () => (await coverage()) === 1, 'coverage back to 1 once flat');
  });

  it('places a STOP_LOSS_LIMIT on the simulator on an entry fill and verifies it by read-back', async () => {
    const entry = await trade('buy', 'entry-2');
    await position('opened', 0.01, entry);
    const verified = await waitFor(() => events('verified')[0], 'stop verified', { timeoutMs: 30_000 });
    // No intent: the fallback stop 2 % under the entry, on BTCUSDT's 0.01 tick.
    const stopPrice = roundToStep(entry * 0.98, 0.01);
    expect(verified).toMatchObject({ stopPrice, qty: 0.01 });
    expect(await openStops()).toEqual([
      {
        clientOrderId: verified.clientOrderId,
        type: 'STOP_LOSS_LIMIT',
        status: 'NEW',
        side: 'sell',
        amount: 0.01,
        stopPrice,
      },
    ]);
    const btc = (await raw.fetchBalance()).BTC;
    expect(btc).toMatchObject({ free: 0, used: 0.01 });
    expect(await coverage()).toBe(1);
  });

  it('re-places a stop cancelled behind its back; coverage dips to 0 and returns to 1', async () => {
    const gauge = registry.getSingleMetric('ballast_stops_coverage_ratio') as Gauge;
    const set = vi.spyOn(gauge, 'set');
    const [original] = await openStops();
    const cancel = await fetch(`${sim.restUrl}/_sim/venue/cancel`, {
      method: 'POST',
      body: JSON.stringify({ symbol: 'BTCUSDT', clientOrderId: original?.clientOrderId }),
    });
    expect(cancel.status).toBe(200);
    const lost = await waitFor(() => alerts.find((a) => a.kind === 'stop_lost'), 'lost stop noticed', {
      timeoutMs: 30_000,
    });
    expect(lost.message).toContain('cancelled');
    await waitFor(() => events('verified').length === 2, 're-placed stop verified', { timeoutMs: 30_000 });
    const [replaced] = await openStops();
    expect(replaced).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: original?.stopPrice, amount: 0.01 });
    expect(replaced?.clientOrderId).not.toBe(original?.clientOrderId);
    const values = set.mock.calls.map((args) => args[0]);
    expect(values.indexOf(0)).toBeGreaterThanOrEqual(0);
    expect(values.lastIndexOf(1)).toBeGreaterThan(values.indexOf(0));
    expect(await coverage()).toBe(1);
    set.mockRestore();
  });

  it('lets the simulator fill the stop when the price goes through it, at its stop; the position is closed', async () => {
    const [stop] = await raw.fetchOpenOrders('BTC/USDT');
    const stopPrice = stop?.triggerPrice as number;
    const limit = stop?.price as number;
    const through = candles.findIndex((c, i) => i >= replayed && c.low <= stopPrice);
    expect(through).toBeGreaterThan(0);
    // The venue sells as the price falls through the stop (at the open if the bar opened below it), not
    // at the close the bar recovered to, and no lower than the stop-limit's limit.
    const venueFill = Math.min(candles[through]?.open as number, stopPrice);
    expect(venueFill).toBeGreaterThanOrEqual(limit);
    replayed += sim.controls.step(through + 1 - replayed, 'binance-candles');
    const triggered = await waitFor(() => events('triggered')[0], 'venue execution noticed', {
      timeoutMs: 30_000,
    });
    expect(triggered.detail).toContain('venue executed the stop');
    expect(await openStops()).toEqual([]);
    const balance = await raw.fetchBalance();
    expect(balance.BTC).toMatchObject({ free: 0, used: 0 });
    const sold = (await raw.fetchMyTrades('BTC/USDT')).filter((t) => t.side === 'sell').at(-1);
    expect(sold?.amount).toBe(0.01);
    expect(sold?.price).toBe(venueFill);
    // No close was sent: the venue's own stop did it. The fill then reaches the position fold.
    expect(commands.filter((c) => c.kind === 'submit')).toHaveLength(1);
    await position('closed', 0, stopPrice);
    await waitFor(() => service.manager.record(POSITION) === undefined, 'record retired');
    await waitFor(async () => (await coverage()) === 1, 'coverage back to 1 once flat');
  });

  it('sells a take-profit only once the stop no longer locks its coins; a refused one leaves the whole position under the stop', async () => {
    // The entry's hour, and TP1's hour.
    const { entry: k, up: at } = firstRise(candles, replayed);
    replayed += sim.controls.step(k + 1 - replayed, 'binance-candles');
    const entry = await trade('buy', 'entry-tp');
    const stop = roundToStep(entry * 0.97, 0.01);
    const tp1 = roundToStep(entry * 1.01, 0.01);
    // TP1 1 % up, TP2 out of reach.
    const intent = { intentId: 'i-tp', candidateId: 'c-tp', strategy: 'test', qty: 0.01, riskAmount: 10 };
    const where = { exchange: 'binance', symbol: 'BTC-USDT', positionSide: 'long', side: 'buy' } as const;
    const takeProfits = [tp1, roundToStep(entry * 1.2, 0.01)];
    const decision = await bus.publish(subject(Subjects.riskDecision, {}), {
      approved: true,
      intent: { ...intent, ...where, entry, stop, takeProfits },
    });
    await waitFor(() => service.manager.hasIntent(POSITION), 'intent seen');
    await position('opened', 0.01, entry, decision.correlationId);
    const record = () => service.manager.record(POSITION);
    await waitFor(() => record()?.intentId === 'i-tp' && record()?.verified, 'the intent stop verified', {
      timeoutMs: 30_000,
    });
    expect(await openStops()).toMatchObject([{ amount: 0.01, stopPrice: stop }]);
    replayed += sim.controls.step(at + 1 - replayed, 'binance-candles');
    const price = candles[at]?.close as number;
    expect(price).toBeGreaterThanOrEqual(tp1);
    const breakeven = breakevenPrice('long', entry, 0.002, 0.01);
    const tick = (n: number) => print(`tp-${n}`, price);

    // TP1 is reached and the orders service cannot get the sale through: all of it is protected again.
    ordersAtOnce = (command) => carryOut(command, true);
    await tick(1);
    const failed = await waitFor(
      () => alerts.find((a) => a.kind === 'take_profit_failed'),
      'failure noticed',
      {
        timeoutMs: 30_000,
      },
    );
    expect(failed.severity).toBe('warning');
    // The alert goes out before the stop moves back: wait for the stop on the whole position.
    await waitFor(() => record()?.qty === 0.01 && record()?.verified, 'whole position protected again', {
      timeoutMs: 30_000,
    });
    expect(record()).toMatchObject({ qty: 0.01, stopPrice: breakeven, ladder: { taken: 0 } });
    expect(await openStops()).toMatchObject([
      { type: 'STOP_LOSS_LIMIT', amount: 0.01, stopPrice: breakeven },
    ]);
    expect((await raw.fetchBalance()).BTC).toMatchObject({ free: 0, used: 0.01 });

    // The next price retries TP1: the sale goes through (no stop locks its coins), the rest stays protected.
    ordersAtOnce = (command) => carryOut(command, false);
    await tick(2);
    await waitFor(() => record()?.ladder.taken === 1, 'TP1 taken', { timeoutMs: 30_000 });
    ordersAtOnce = undefined;
    const sold = (await raw.fetchMyTrades('BTC/USDT')).filter((t) => t.side === 'sell').at(-1);
    expect(sold?.amount).toBe(0.005);
    expect(await openStops()).toMatchObject([
      { type: 'STOP_LOSS_LIMIT', amount: 0.005, stopPrice: breakeven },
    ]);
    expect((await raw.fetchBalance()).BTC).toMatchObject({ free: 0, used: 0.005 });
    expect(record()).toMatchObject({ qty: 0.005, takeProfit: null, verified: true });
    await waitFor(async () => (await coverage()) === 1, 'coverage 1');
  });

  it('takes the whole of a position too small to split at TP1 instead of a piece the venue refuses', async () => {
    const record = () => service.manager.record(POSITION);
    const { qty, at } = await openTooSmallToSplit('small');
    const sentBefore = commands.length;
    const alertsBefore = alerts.length;
    replayed += sim.controls.step(at + 1 - replayed, 'binance-candles');
    const price = candles[at]?.close as number;
    expect((qty / 2) * price).toBeLessThan(10);

    ordersAtOnce = (command) => carryOut(command, false);
    await print('tp-small', price);
    // A refused stop or take-profit raises an alert: it ends the wait too, and the test there.
    await waitFor(() => record() === undefined || alerts.length > alertsBefore, 'position sold whole', {
      timeoutMs: 30_000,
    });
    ordersAtOnce = undefined;
    expect(alerts.slice(alertsBefore)).toEqual([]);
    // One sale of all of it, which the simulator took.
    expect(commands.slice(sentBefore)).toMatchObject([{ kind: 'submit', side: 'sell', qty }]);
    const sold = (await raw.fetchMyTrades('BTC/USDT')).filter((t) => t.side === 'sell').at(-1);
    expect(sold?.amount).toBe(qty);
    expect(events('take_profit').at(-1)?.detail).toContain(`closing ${qty} (piece_below_minimum)`);
    expect(await openStops()).toEqual([]);
    expect((await raw.fetchBalance()).BTC).toMatchObject({ free: 0, used: 0 });
  });

  it('puts the stop back on all of a position whose whole sale is refused; the next price sells it', async () => {
    const record = () => service.manager.record(POSITION);
    const { qty, stop, at } = await openTooSmallToSplit('refused');
    const alertsBefore = alerts.length;
    replayed += sim.controls.step(at + 1 - replayed, 'binance-candles');
    const price = candles[at]?.close as number;

    // The stop is cancelled so the sale can use its coins; the sale is refused: the stop goes back.
    ordersAtOnce = (command) => carryOut(command, true);
    await print('tp-refused-1', price);
    const failed = await waitFor(
      () => alerts.slice(alertsBefore).find((a) => a.kind === 'take_profit_failed'),
      'refused sale noticed',
      { timeoutMs: 30_000 },
    );
    expect(failed.message).toContain(`the stop covers ${qty} again`);
    await waitFor(() => record()?.verified === true, 'whole position protected again', { timeoutMs: 30_000 });
    expect(record()).toMatchObject({ qty, stopPrice: stop, takeProfit: null, ladder: { taken: 0 } });
    expect(await openStops()).toMatchObject([{ type: 'STOP_LOSS_LIMIT', amount: qty, stopPrice: stop }]);
    expect((await raw.fetchBalance()).BTC).toMatchObject({ free: 0, used: qty });

    ordersAtOnce = (command) => carryOut(command, false);
    await print('tp-refused-2', price);
    await waitFor(() => record() === undefined, 'position sold whole', { timeoutMs: 30_000 });
    ordersAtOnce = undefined;
    expect(await openStops()).toEqual([]);
    expect((await raw.fetchBalance()).BTC).toMatchObject({ free: 0, used: 0 });
  });
});
