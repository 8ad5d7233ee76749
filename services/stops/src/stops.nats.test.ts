import { DEFAULT_MAX_DELIVER, NatsBus } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type ControlAck,
  type Envelope,
  type OrderCommand,
  type OrderIntent,
  type PositionEvent,
  type StopEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { Atr, breakevenPrice, clientOrderId, type MarketRules, roundToStep, trailStop } from '@ballast/core';
import {
  BotStateRepository,
  CandleRepository,
  createDb,
  type DbHandle,
  migrate,
  ProtectiveStopRepository,
} from '@ballast/db';
import { PaperStopVenue, type StopVenue, VenueError } from '@ballast/exchange';
import { type ReplayedCandle, recordedBars } from '@ballast/exchange-sim/testing';
import { DEFAULT_STOP_LIMIT_OFFSET_BPS } from '@ballast/service-kit';
import {
  createTestDatabase,
  natsUrl,
  outageStore,
  readDataFile,
  type TestDatabase,
  uniqueName,
  waitFor,
  watchPipeline,
} from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stopsConfigSchema } from './config';
import { botStateFlattenHold, keptFlattenHold } from './flatten-hold-store';
import { botStatePendingIntents } from './pending-intent-store';
import { type StopsDeps, startStops } from './service';
import type { StopManager } from './stop-manager';
import { StopRecord } from './stop-record';

// Market rules from binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz; prices are real
// BTCUSDT / ETHUSDT / SOLUSDT 1h closes from binance-spot-ohlcv/*-1h.csv.gz.
const exchangeInfo = JSON.parse(readDataFile('binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz')) as {
  symbols: Array<{ symbol: string; filters: Array<Record<string, string>> }>;
};
function rules(symbol: string): MarketRules {
  const entry = exchangeInfo.symbols.find((s) => s.symbol === symbol.replace('-', ''));
  if (!entry) throw new Error(`${symbol} not in the recorded exchangeInfo`);
  const f = (type: string, field: string) =>
    Number(entry.filters.find((x) => x.filterType === type)?.[field]);
  return {
    tickSize: f('PRICE_FILTER', 'tickSize'),
    stepSize: f('LOT_SIZE', 'stepSize'),
    minQty: f('LOT_SIZE', 'minQty'),
    minNotional: f('MIN_NOTIONAL', 'minNotional'),
  };
}
function closes(file: string): number[] {
  return readDataFile(file)
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[4]));
}
const btc = closes('binance-spot-ohlcv/BTCUSDT-1h.csv.gz');
const eth = closes('binance-spot-ohlcv/ETHUSDT-1h.csv.gz');
const sol = closes('binance-spot-ohlcv/SOLUSDT-1h.csv.gz');

const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };
let counter = 0;
const ids = () => `venue-${++counter}`;

let testDb: TestDatabase;
let handle: DbHandle;
let bus: NatsBus;
let prefix: string;
const stopEvents: StopEvent[] = [];
const alerts: Alert[] = [];
const commands: OrderCommand[] = [];
const acks: ControlAck[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase('stops');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  prefix = `${uniqueName('stops')}.`;
  bus = await NatsBus.connect({ servers: await natsUrl(), prefix, source: 'test', clock });
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
  await bus.subscribe(
    subject(Subjects.controlAck, {}),
    (m: Envelope<ControlAck>) => void acks.push(m.payload),
    {
      durable: 't-ack',
    },
  );
});

afterAll(async () => {
  await bus?.drain();
  await handle?.db.destroy();
  await testDb?.drop();
});

async function start(
  venue: StopVenue,
  overrides: Record<string, string> = {},
  serviceClock: Clock = clock,
  deps: Partial<Pick<StopsDeps, 'db' | 'stores' | 'log'>> = {},
) {
  const registry = new Registry();
  const serviceBus = await NatsBus.connect({ servers: await natsUrl(), prefix, source: 'stops', clock });
  const service = await startStops({
    bus: serviceBus,
    db: handle.db,
    clock: serviceClock,
    ids,
    config: stopsConfigSchema.parse({ STOPS_VENUE: venue.id, RETRY_BASE_MS: '5', ...overrides }),
    log: silent,
    metrics: registry,
    venue,
    ...deps,
  });
  return {
    service,
    registry,
    async coverage(): Promise<number | undefined> {
      return (await registry.getSingleMetric('ballast_stops_coverage_ratio')?.get())?.values[0]?.value;
    },
    async placements(outcome: string): Promise<number> {
      const metric = await registry.getSingleMetric('ballast_stops_placements_total')?.get();
      return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    },
    async stop() {
      await service[Symbol.asyncDispose]();
      await serviceBus.drain();
    },
  };
}

/** A paper spot account's stops; `reduceOnly` simulates a venue whose stops are reduce-only (derivatives). */
function paper(venue: string, reduceOnly = false): PaperStopVenue {
  return new PaperStopVenue({
    venue,
    rules,
    ids,
    limitOffsetBps: DEFAULT_STOP_LIMIT_OFFSET_BPS,
    supportsReduceOnly: reduceOnly,
  });
}

/** An approved decision, in the chain `chain` (default: a new one); returns that chain. */
async function approve(
  intent: Omit<OrderIntent, 'candidateId' | 'riskAmount' | 'qty' | 'side'> & { qty: number },
  chain?: string,
): Promise<string> {
  const sent = await bus.publish(
    subject(Subjects.riskDecision, {}),
    {
      approved: true,
      intent: {
        ...intent,
        candidateId: `c-${intent.intentId}`,
        side: intent.positionSide === 'long' ? 'buy' : 'sell',
        riskAmount: 10,
      },
    },
    chain === undefined ? {} : { correlationId: chain },
  );
  return sent.correlationId;
}

/** The long position slot of `symbol` on the venue `exchange`. */
function longSlot(exchange: string, symbol: string) {
  return { id: `${exchange}:${symbol}`, slot: { exchange, symbol, side: 'long' } as const };
}

/** A long entry of strategy `test` on the slot's market, approved with these prices. */
function approveLong(
  slot: { exchange: string; symbol: string },
  intentId: string,
  qty: number,
  prices: { entry: number; stop: number; takeProfits: number[] },
  chain?: string,
) {
  const { exchange, symbol } = slot;
  return approve(
    { intentId, strategy: 'test', exchange, symbol, positionSide: 'long', qty, ...prices },
    chain,
  );
}

/**
 * A position event; `strategy` is who opened it (default `test`, null: a fill reconciliation
 * recorded). An entry's events join the chain of the decision that asked for it, as the orders
 * service publishes them.
 */
async function position(
  p: Omit<PositionEvent, 'positionId' | 'strategy' | 'realizedPnl' | 'fees'> & { strategy?: string | null },
  chain?: string,
) {
  await bus.publish(
    subject(Subjects.positionEvent, {}),
    { strategy: 'test', ...p, positionId: `${p.exchange}:${p.symbol}`, realizedPnl: 0, fees: 0 },
    chain === undefined ? {} : { correlationId: chain },
  );
}

async function trade(exchange: string, symbol: string, price: number, n: number) {
  await bus.publish(subject(Subjects.trade, { exchange, symbol }), {
    exchange,
    symbol,
    tradeId: `t${n}`,
    price,
    size: 0.1,
    side: 'buy',
    time: clock.now(),
  });
}

/** The submits sent for the venue `exchange` so far. */
const submitsOn = (exchange: string) =>
  commands.filter(
    (c): c is Extract<OrderCommand, { kind: 'submit' }> => c.kind === 'submit' && c.exchange === exchange,
  );

/** A paper venue, the service on it, and a long of strategy `test` opened by its approved intent. */
async function openLong(
  venueId: string,
  intentId: string,
  qty: number,
  entry: number,
  stop = roundToStep(entry * 0.95, 0.01),
  takeProfits: number[] = [],
  /** What happens after the service started, before the entry is approved. */
  beforeEntry?: (slot: { exchange: string; symbol: string }) => Promise<void>,
) {
  const prices = { entry, stop, takeProfits };
  const venue = paper(venueId);
  const svc = await start(venue);
  const { id, slot } = longSlot(venueId, 'SOL-USDT');
  await beforeEntry?.(slot);
  const chain = await approveLong(slot, intentId, qty, prices);
  await waitFor(() => svc.service.manager.hasIntent(id, intentId), 'opening intent seen');
  await position({ ...slot, status: 'opened', qty, avgEntry: prices.entry }, chain);
  await waitFor(() => eventsFor(id, 'verified').length === 1, 'opening stop verified');
  return { venue, svc, id, slot, chain };
}

/** A closed bar of `symbol` on the venue `exchange`, as market-data publishes it. */
async function bar(
  slot: { exchange: string; symbol: string },
  timeframe: '1h' | '4h',
  b: Omit<ReplayedCandle, 'volume'> & { volume?: number },
) {
  const { exchange, symbol } = slot;
  await bus.publish(subject(Subjects.candle, { exchange, symbol, timeframe }), {
    exchange,
    symbol,
    timeframe,
    openTime: b.openTime,
    closeTime: b.openTime + (timeframe === '1h' ? 3_600_000 : 14_400_000) - 1,
    ...{ open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume ?? 1 },
  });
}

/**
 * The first day-aligned window of real SOLUSDT 1h bars from 2021-01-01 where the stop the bar after 300
 * (`next`) trails a long to, its low never reaching it, with the ATR of every bar since the listing (a
 * service that ran through) is not the one the ATR of each of `shorter`'s bars gives.
 */
function trailWindow(shorter: (seen: ReplayedCandle[]) => ReplayedCandle[][]) {
  const allHourly = recordedBars('binance-spot-ohlcv/SOLUSDT-1h.csv.gz');
  const trailed = (history: ReplayedCandle[], next: ReplayedCandle, first: number) => {
    const atr = new Atr(14);
    for (const b of [...history, next]) atr.push(b);
    return trailStop('long', first, next.close, { mode: 'atr', multiple: 2 }, atr.value, 0.01);
  };
  for (let i = allHourly.findIndex((b) => b.openTime >= Date.UTC(2021, 0, 1)); ; i += 24) {
    const seen = allHourly.slice(i, i + 300);
    const next = allHourly[i + 300] as ReplayedCandle;
    const first = roundToStep(next.low * 0.8, 0.01);
    const expected = trailed(allHourly.slice(0, i + 300), next, first);
    if (
      expected > first &&
      expected < next.low &&
      shorter(seen).every((bars) => trailed(bars, next, first) !== expected)
    )
      return { seen, next, first, expected };
  }
}

/**
 * A paper long of SOL-USDT on `venueId` opened at the close of a real 1h bar whose low is more than 1 %
 * under its close, its stop half-way between them.
 */
async function openOverBarLow(venueId: string, intentId: string) {
  const venue = paper(venueId);
  const svc = await start(venue);
  const { id, slot } = longSlot(venueId, 'SOL-USDT');
  const bars = recordedBars('binance-spot-ohlcv/SOLUSDT-1h.csv.gz');
  const recorded = bars.find((b, i) => i > 10_000 && b.low < b.close * 0.99) as ReplayedCandle;
  const stop = roundToStep((recorded.low + recorded.close) / 2, rules('SOL-USDT').tickSize);
  const chain = await approveLong(slot, intentId, 5, { entry: recorded.close, stop, takeProfits: [] });
  await waitFor(() => svc.service.manager.hasIntent(id, intentId), 'intent seen');
  await position({ ...slot, status: 'opened', qty: 5, avgEntry: recorded.close }, chain);
  await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
  return { svc, id, slot, recorded, stop };
}

/**
 * SOL-USDT trades on `exchange` at `price`, stamped `times`; returns once the service handled them and
 * every feed status sent before (trades and bars come through separate consumers).
 */
async function tradesAt(exchange: string, price: number, times: number[]) {
  for (const time of times)
    await bus.publish(subject(Subjects.trade, { exchange, symbol: 'SOL-USDT' }), {
      ...{ exchange, symbol: 'SOL-USDT', tradeId: `${exchange}-${time}` },
      ...{ price, size: 0.1, side: 'buy' as const, time },
    });
  const pipeline = await watchPipeline(await natsUrl(), prefix);
  await pipeline.waitIdle({ streams: ['MD_STATUS', 'MD_TRADE'] }).finally(() => pipeline.close());
}

/** `next` closes (stored first, as market-data does) and the venue's stop trails to `expected`. */
async function closeAndTrail(
  venue: { openStops(): Array<{ stopPrice: number }> },
  slot: { exchange: string; symbol: string },
  next: ReplayedCandle,
  expected: number,
) {
  await storeHourly(slot, [next]);
  await bar(slot, '1h', next);
  await waitFor(() => venue.openStops()[0]?.stopPrice === expected, `trailed to ${expected}`, {
    timeoutMs: 20_000,
  });
}

/** 1h bars as market-data keeps them: under its venue's name, in the candles table. */
function storeHourly(slot: { exchange: string; symbol: string }, bars: ReplayedCandle[]) {
  return new CandleRepository(handle.db).upsertMany(
    bars.map((b) => ({ ...slot, timeframe: '1h' as const, ...b, closeTime: b.openTime + 3_599_999 })),
  );
}

const eventsFor = (positionId: string, kind: StopEvent['kind']) =>
  stopEvents.filter((e) => e.positionId === positionId && e.kind === kind);

/** The position's record carries the intent's take-profit, and the intent is used up. */
function expectIntentUsed(manager: StopManager, id: string, intentId: string, takeProfit: number) {
  expect(manager.record(id)).toMatchObject({
    intentId,
    awaiting: null,
    ladder: { levels: [takeProfit], taken: 0 },
  });
  expect(manager.hasIntent(id)).toBe(false);
}

/** The position an entry's fill opens, in its decision's chain, gets the intent's stop and take-profit. */
async function expectOpenedWithIntent(
  manager: StopManager,
  venue: PaperStopVenue,
  slot: ReturnType<typeof longSlot>['slot'],
  chain: string,
  opened: { qty: number; entry: number; stop: number; intentId: string; takeProfit: number },
) {
  const id = `${slot.exchange}:${slot.symbol}`;
  await position({ ...slot, status: 'opened', qty: opened.qty, avgEntry: opened.entry }, chain);
  await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
  expect(venue.openStops()).toMatchObject([{ qty: opened.qty, stopPrice: opened.stop }]);
  expectIntentUsed(manager, id, opened.intentId, opened.takeProfit);
}

/**
 * A 9 SOL long on the paper venue `venueId` whose one take-profit (2 % up) sells all of it
 * (TP_FRACTIONS 1), its intent stop (5 % down) verified. Entry and `price`, which reaches the
 * take-profit, are real SOLUSDT closes five hours apart, from index `from` on.
 */
async function wholeSaleLong(
  venueId: string,
  from: number,
  overrides: Record<string, string>,
  serviceClock: Clock = clock,
  reduceOnly = false,
) {
  const k = sol.findIndex((p, i) => i > from && (sol[i + 5] ?? 0) > p * 1.03);
  const [entry, price] = [sol[k] as number, sol[k + 5] as number];
  const tick = rules('SOL-USDT').tickSize;
  const stop = roundToStep(entry * 0.95, tick);
  const { id, slot } = longSlot(venueId, 'SOL-USDT');
  const venue = paper(venueId, reduceOnly);
  const svc = await start(venue, { TP_FRACTIONS: '1', VERIFY_INTERVAL_MS: '0', ...overrides }, serviceClock);
  const takeProfits = [roundToStep(entry * 1.02, tick)];
  const chain = await approveLong(slot, `i-${venueId}`, 9, { entry, stop, takeProfits });
  await waitFor(() => svc.service.manager.hasIntent(id), 'intent seen');
  await position({ ...slot, status: 'opened', qty: 9, avgEntry: entry }, chain);
  await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
  return { svc, venue, id, slot, chain, entry, price, stop, sales: () => submitsOn(venueId) };
}

/**
 * The ord.event of one order (TWAP slice `slice`) of an entry, as the orders service publishes it:
 * that order's own qty and fill, its client id derived from intent and slice, in its decision's
 * chain. A refusal is the venue's (insufficient funds); a cancellation the kill's (058f15d).
 */
async function entryOrder(
  slot: { exchange: string; symbol: string },
  order: { intentId: string; slice: number; status: 'rejected' | 'cancelled' | 'filled'; qty: number },
  chain: string,
  price = 0,
) {
  const id = clientOrderId('bl-', order.intentId, order.slice);
  const filled = order.status === 'filled';
  await bus.publish(
    subject(Subjects.orderEvent, {}),
    {
      status: order.status,
      intentId: order.intentId,
      clientOrderId: id,
      venueOrderId: filled ? `v-${id}` : null,
      exchange: slot.exchange,
      symbol: slot.symbol,
      side: 'buy',
      type: 'market',
      qty: order.qty,
      filledQty: filled ? order.qty : 0,
      avgPrice: filled ? price : null,
      fill: filled
        ? {
            tradeId: `t-${id}`,
            price,
            qty: order.qty,
            fee: 0,
            feeAsset: 'USDT',
            liquidity: 'taker' as const,
            time: clock.now(),
          }
        : null,
      reason: { rejected: 'insufficient_funds' as const, cancelled: 'kill_switch' as const, filled: null }[
        order.status
      ],
      detail: filled ? null : `${order.status} in the test`,
    },
    { correlationId: chain },
  );
}

let markers = 0;
/**
 * Returns once the stop manager handled every ord.event published before: a marker entry on another
 * market, refused whole after them, is forgotten only once its refusal is read, and they come first.
 */
async function orderEventsRead(manager: StopManager, exchange: string) {
  const { id, slot } = longSlot(exchange, 'ETH-USDT');
  const intentId = `i-marker-${++markers}`;
  const entry = eth[35_000] as number;
  const chain = await approveLong(slot, intentId, 0.3, {
    entry,
    stop: roundToStep(entry * 0.97, 0.01),
    takeProfits: [],
  });
  await waitFor(() => manager.hasIntent(id, intentId), 'marker intent seen');
  await entryOrder(slot, { intentId, slice: 0, status: 'rejected', qty: 0.3 }, chain);
  await waitFor(() => !manager.hasIntent(id, intentId), 'marker refusal read');
}

/**
 * Returns once the stop manager handled every position event published before: a marker position on
 * another market, opened and closed after them, has come and gone.
 */
async function positionEventsRead(manager: StopManager, exchange: string) {
  const { id, slot } = longSlot(exchange, 'ETH-USDT');
  const entry = eth[35_000] as number;
  await position({ ...slot, status: 'opened', qty: 0.3, avgEntry: entry, strategy: null });
  await waitFor(() => manager.record(id) !== undefined, 'marker position read');
  await position({ ...slot, status: 'closed', qty: 0, avgEntry: entry, strategy: null });
  await waitFor(() => manager.record(id) === undefined, 'marker position closed');
}

/** The stops the paper venue holds for SOL-USDT (markers rest on ETH-USDT). */
const solStops = (venue: PaperStopVenue) => venue.openStops().filter((s) => s.symbol === 'SOL-USDT');

/**
 * A 10 SOL long at `entry` (a real SOLUSDT close) with two take-profits; TP1 is reached and sells 5,
 * the stop moved onto the 5 kept, and while that sale is out the opening's next TWAP slice fills
 * (same intent): the position is 14, read before the sale fills.
 */
async function growDuringTakeProfit(venueId: string, entry: number) {
  const { tickSize } = rules('SOL-USDT');
  const target = roundToStep(entry * 1.02, tickSize);
  const far = roundToStep(entry * 1.2, tickSize);
  const opened = await openLong(venueId, `i-${venueId}`, 10, entry, undefined, [target, far]);
  const { venue, svc, slot, chain } = opened;
  await trade(venueId, 'SOL-USDT', target, 1);
  const sale = await waitFor(() => submitsOn(venueId)[0], 'TP1 sale of half');
  await waitFor(() => solStops(venue)[0]?.qty === 5, 'the stop covers the half kept');
  await position({ ...slot, status: 'changed', qty: 14, avgEntry: entry, intentId: `i-${venueId}` }, chain);
  await positionEventsRead(svc.service.manager, venueId);
  return { ...opened, sale, target };
}

/** The take-profit's sale of 5 fills: its order event, read, then its position event (14 -> 9). */
async function sellTakeProfit(
  manager: StopManager,
  grown: { id: string; slot: ReturnType<typeof longSlot>['slot']; target: number },
  sale: Extract<OrderCommand, { kind: 'submit' }>,
) {
  const { id, slot, target } = grown;
  await entryOrder(slot, { intentId: sale.intentId, slice: 0, status: 'filled', qty: 5 }, `tp-${id}`, target);
  await waitFor(() => manager.record(id)?.takeProfit === null, 'the sale filled');
  await position({ ...slot, status: 'changed', qty: 9, avgEntry: target, intentId: sale.intentId });
}

describe('stops service (NATS + PostgreSQL + paper stop venue)', () => {
  it('places a stop on an entry fill, reads it back, and reports coverage 1; acknowledges a kill', async () => {
    const venue = paper('paperentry');
    const svc = await start(venue, { COVERAGE_SAMPLE_MS: '100' });
    const entry = btc[40_000] as number;
    const stop = roundToStep(entry * 0.98, 0.01);
    const chain = await approve({
      intentId: 'i-entry',
      strategy: 'test',
      exchange: 'paperentry',
      symbol: 'BTC-USDT',
      positionSide: 'long',
      qty: 0.0123456,
      entry,
      stop,
      takeProfits: [],
    });
    await waitFor(() => svc.service.manager.hasIntent('paperentry:BTC-USDT'), 'intent seen');
    await position(
      {
        status: 'opened',
        exchange: 'paperentry',
        symbol: 'BTC-USDT',
        side: 'long',
        qty: 0.0123456,
        avgEntry: entry,
      },
      chain,
    );
    await waitFor(() => eventsFor('paperentry:BTC-USDT', 'verified').length === 1, 'stop verified');
    expect(venue.openStops()).toMatchObject([
      { side: 'sell', qty: 0.01234, stopPrice: stop, status: 'open' },
    ]);
    expect(eventsFor('paperentry:BTC-USDT', 'placed')).toHaveLength(1);
    expect(await svc.coverage()).toBe(1);
    expect(await svc.placements('verified')).toBe(1);
    // The readiness gate's stop-coverage criterion reads these samples.
    await waitFor(async () => {
      const rows = await handle.db.selectFrom('stop_coverage_samples').selectAll().execute();
      return rows.some((r) => r.open_positions >= 1 && r.protected_positions === r.open_positions);
    }, 'a coverage sample with the protected position');
    const stored = await new ProtectiveStopRepository(handle.db, clock, StopRecord).get(
      'paperentry:BTC-USDT',
    );
    expect(stored).toMatchObject({
      status: 'active',
      state: { stopPrice: stop, qty: 0.01234, verified: true },
    });

    const kill = await bus.publish(subject(Subjects.kill, {}), {
      flatten: true,
      reason: 'test',
      requestedBy: 'test',
    });
    await waitFor(() => acks.find((a) => a.service === 'stops' && a.commandId === kill.id), 'kill ack');
    // Held while the flatten runs: the orders service may cancel the stop to sell the coins it locks.
    expect(await svc.coverage()).toBe(0);
    // With flatten the orders service closes the position; its `closed` event retires the stop.
    await position({
      status: 'closed',
      exchange: 'paperentry',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0,
      avgEntry: entry,
    });
    await waitFor(
      () => eventsFor('paperentry:BTC-USDT', 'cancelled').length === 1,
      'stop cancelled after flat',
    );
    expect(venue.openStops()).toEqual([]);
    await waitFor(async () => (await svc.coverage()) === 1, 'coverage 1 once flat');
    await svc.stop();
  });

  it('flattens the position and raises a critical alert when the venue refuses the stop', async () => {
    const inner = paper('paperreject');
    const refusing: StopVenue = {
      id: inner.id,
      supportsReduceOnly: true,
      marketRules: (s) => inner.marketRules(s),
      placeStop: async () => {
        throw new VenueError('invalid_order', 'Stop price would trigger immediately.');
      },
      fetchStop: (s, c) => inner.fetchStop(s, c),
      cancelStop: (s, c) => inner.cancelStop(s, c),
    };
    const svc = await start(refusing);
    const entry = eth[30_000] as number;
    await position({
      status: 'opened',
      exchange: 'paperreject',
      symbol: 'ETH-USDT',
      side: 'long',
      qty: 0.25,
      avgEntry: entry,
    });
    const alert = await waitFor(
      () => alerts.find((a) => a.labels.positionId === 'paperreject:ETH-USDT'),
      'alert',
    );
    expect(alert).toMatchObject({ severity: 'critical', kind: 'stop_placement_failed' });
    const close = await waitFor(
      () => commands.find((c) => c.kind === 'submit' && c.exchange === 'paperreject'),
      'flatten command',
    );
    expect(close).toMatchObject({
      symbol: 'ETH-USDT',
      side: 'sell',
      type: 'market',
      qty: 0.25,
      reduceOnly: true,
    });
    expect(eventsFor('paperreject:ETH-USDT', 'failed')).toHaveLength(1);
    await waitFor(() => eventsFor('paperreject:ETH-USDT', 'flattened').length === 1, 'flattened event');
    await waitFor(async () => (await svc.coverage()) === 0, 'coverage 0 while unprotected');
    expect(await svc.placements('failed')).toBe(1);
    await position({
      status: 'closed',
      exchange: 'paperreject',
      symbol: 'ETH-USDT',
      side: 'long',
      qty: 0,
      avgEntry: entry,
    });
    await waitFor(async () => (await svc.coverage()) === 1, 'coverage back to 1 once flat');
    await svc.stop();
  });

  it('trails the venue stop up at favourable bar closes and never down', async () => {
    // The first 48-hour BTCUSDT window from 2021 where a 2 % trail moves at least 3 times and is never hit.
    const tick = 0.01;
    let window: number[] = [];
    for (let i = 30_000; i < btc.length - 48 && window.length === 0; i += 12) {
      const path = btc.slice(i, i + 48);
      let s = roundToStep((path[0] as number) * 0.97, tick);
      let moves = 0;
      let hit = false;
      for (const p of path.slice(1)) {
        if (p <= s) hit = true;
        const next = trailStop('long', s, p, { mode: 'percent', pct: 0.02 }, null, tick);
        if (next !== s) moves++;
        s = next;
      }
      if (!hit && moves >= 3) window = path;
    }
    const [entry, ...prices] = window as [number, ...number[]];
    let expected = roundToStep(entry * 0.97, tick);
    for (const p of prices)
      expected = trailStop('long', expected, p, { mode: 'percent', pct: 0.02 }, null, tick);

    const venue = paper('papertrail');
    const svc = await start(venue, { TRAIL_MODE: 'percent', TRAIL_PCT: '0.02' });
    const chain = await approve({
      intentId: 'i-trail',
      strategy: 'test',
      exchange: 'papertrail',
      symbol: 'BTC-USDT',
      positionSide: 'long',
      qty: 0.01,
      entry,
      stop: roundToStep(entry * 0.97, tick),
      takeProfits: [],
    });
    await waitFor(() => svc.service.manager.hasIntent('papertrail:BTC-USDT'), 'intent seen');
    await position(
      {
        status: 'opened',
        exchange: 'papertrail',
        symbol: 'BTC-USDT',
        side: 'long',
        qty: 0.01,
        avgEntry: entry,
      },
      chain,
    );
    await waitFor(() => eventsFor('papertrail:BTC-USDT', 'verified').length === 1, 'first stop verified');
    // The stop trails at bar closes (TRAIL_TIMEFRAME 1h): one 1h bar per price.
    const from = Date.UTC(2021, 0, 1);
    for (const [n, p] of prices.entries())
      await bar({ exchange: 'papertrail', symbol: 'BTC-USDT' }, '1h', {
        openTime: from + n * 3_600_000,
        ...{ open: p, high: p, low: p, close: p },
      });
    await waitFor(() => venue.openStops()[0]?.stopPrice === expected, `venue stop at ${expected}`, {
      timeoutMs: 20_000,
    });
    await waitFor(
      () => eventsFor('papertrail:BTC-USDT', 'placed').at(-1)?.stopPrice === expected,
      'last placed event',
    );
    const placed = eventsFor('papertrail:BTC-USDT', 'placed').map((e) => e.stopPrice as number);
    expect(placed.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < placed.length; i++) expect(placed[i]).toBeGreaterThan(placed[i - 1] as number);
    expect(venue.openStops()).toHaveLength(1);
    await waitFor(
      () => eventsFor('papertrail:BTC-USDT', 'moved').length === placed.length - 1,
      'one moved per move',
    );
    await svc.stop();
  });

  it('TP1 closes half the position and moves the stop to breakeven', async () => {
    const k = sol.findIndex((p, i) => i > 1000 && (sol[i + 5] ?? 0) > p * 1.03);
    const entry = sol[k] as number;
    const tp1Price = sol[k + 5] as number;
    const tick = rules('SOL-USDT').tickSize;
    const tp1 = roundToStep(entry * 1.02, tick);
    // 9 SOL at about 2.77: each half (about 12.5 USDT) is above SOLUSDT's 10 USDT minimum notional.
    const venue = paper('papertp');
    const svc = await start(venue);
    const chain = await approve({
      intentId: 'i-tp',
      strategy: 'test',
      exchange: 'papertp',
      symbol: 'SOL-USDT',
      positionSide: 'long',
      qty: 9,
      entry,
      stop: roundToStep(entry * 0.95, tick),
      takeProfits: [tp1, roundToStep(entry * 1.1, tick)],
    });
    await waitFor(() => svc.service.manager.hasIntent('papertp:SOL-USDT'), 'intent seen');
    await position(
      {
        status: 'opened',
        exchange: 'papertp',
        symbol: 'SOL-USDT',
        side: 'long',
        qty: 9,
        avgEntry: entry,
      },
      chain,
    );
    await waitFor(() => eventsFor('papertp:SOL-USDT', 'verified').length === 1, 'stop verified');
    await trade('papertp', 'SOL-USDT', tp1Price, 1);
    const close = await waitFor(
      () => commands.find((c) => c.kind === 'submit' && c.exchange === 'papertp'),
      'TP1 close',
    );
    expect(close).toMatchObject({ side: 'sell', type: 'market', qty: 4.5, reduceOnly: true });
    const breakeven = breakevenPrice('long', entry, 0.002, tick);
    await waitFor(() => venue.openStops()[0]?.stopPrice === breakeven, 'stop at breakeven');
    expect(venue.openStops()).toMatchObject([{ qty: 4.5, stopPrice: breakeven, side: 'sell' }]);
    expect(eventsFor('papertp:SOL-USDT', 'take_profit')).toHaveLength(1);
    // The orders service then reports the smaller position; the stop already matches it.
    await position({
      status: 'changed',
      exchange: 'papertp',
      symbol: 'SOL-USDT',
      side: 'long',
      qty: 4.5,
      avgEntry: entry,
    });
    await waitFor(async () => (await svc.coverage()) === 1, 'coverage 1');
    expect(venue.openStops()).toHaveLength(1);
    await svc.stop();
  });

  it('where stops are reduce-only, keeps the stop resting while a take-profit sells the whole position: a refused sale leaves it on, a triggered stop sends no second sale', async () => {
    const { svc, venue, id, slot, chain, entry, price, stop, sales } = await wholeSaleLong(
      'paperwhole',
      3000,
      {},
      clock,
      true,
    );
    const [resting] = venue.openStops();

    await trade('paperwhole', 'SOL-USDT', price, 1);
    const first = await waitFor(() => sales()[0], 'sale of everything');
    expect(first).toMatchObject({ side: 'sell', type: 'market', qty: 9, reduceOnly: true });
    // The stop is still there while the sale is out.
    expect(venue.openStops()).toEqual([resting]);
    expect(svc.service.manager.record(id)).toMatchObject({ verified: true, closing: null });

    // The orders service refuses the sale: the stop protects all of it, the ladder stays.
    await entryOrder(slot, { intentId: first.intentId, slice: 0, status: 'rejected', qty: 9 }, chain);
    await waitFor(
      () => alerts.some((a) => a.labels.positionId === id && a.kind === 'take_profit_failed'),
      'refused sale noticed',
    );
    await waitFor(() => svc.service.manager.record(id)?.verified === true, 'stop back');
    expect(venue.openStops()).toMatchObject([{ qty: 9, stopPrice: stop }]);
    expect(svc.service.manager.record(id)).toMatchObject({ qty: 9, takeProfit: null, ladder: { taken: 0 } });

    // The next price sells again under a new id; the stop triggers before that sale is done: it is
    // the close, and no second one goes out.
    await trade('paperwhole', 'SOL-USDT', price, 2);
    const second = await waitFor(() => sales()[1], 'sale sent again');
    expect(second).toMatchObject({ qty: 9 });
    expect(second.intentId).not.toBe(first.intentId);
    await trade('paperwhole', 'SOL-USDT', stop, 3);
    const triggered = await waitFor(() => eventsFor(id, 'triggered')[0], 'stop triggered');
    expect(triggered.detail).toContain('while a take-profit sells the position');
    await entryOrder(slot, { intentId: second.intentId, slice: 0, status: 'filled', qty: 9 }, chain, price);
    await position({ ...slot, status: 'closed', qty: 0, avgEntry: entry });
    await waitFor(() => svc.service.manager.record(id) === undefined, 'record retired');
    expect(sales()).toHaveLength(2);
    expect(venue.openStops()).toEqual([]);
    await svc.stop();
  });

  it('where stops are reduce-only, resumes a sale of the whole position after a restart with its stop still resting; undone when unanswered', async () => {
    let now = Date.now();
    const virtual: Clock = { now: () => now };
    const overrides = { TP_FRACTIONS: '1', CLOSE_CONFIRM_MS: '60000', VERIFY_INTERVAL_MS: '0' };
    const opened = await wholeSaleLong('paperwholeresume', 4000, overrides, virtual, true);
    const { venue, id, stop, sales } = opened;
    await trade('paperwholeresume', 'SOL-USDT', opened.price, 1);
    const sent = await waitFor(() => sales()[0], 'sale sent');
    await opened.svc.stop();

    // Restarted before the orders service answered: the sale goes again under its ids, the stop is
    // found resting on all of it.
    const second = await start(venue, overrides, virtual);
    await waitFor(() => sales().length === 2, 'sale sent again');
    expect(sales()[1]).toMatchObject({ clientOrderId: sent.clientOrderId, intentId: sent.intentId, qty: 9 });
    expect(second.service.manager.record(id)).toMatchObject({
      verified: true,
      takeProfit: { keep: 0, qty: 9 },
    });
    expect(venue.openStops()).toMatchObject([{ qty: 9, stopPrice: stop }]);
    // Still unanswered after CLOSE_CONFIRM_MS: undone, the stop on all of it, the ladder where it was.
    now += 60_001;
    await trade('paperwholeresume', 'BTC-USDT', btc[44_000] as number, 2);
    await waitFor(
      () => alerts.some((a) => a.labels.positionId === id && a.kind === 'take_profit_failed'),
      'unanswered sale undone',
    );
    await waitFor(() => second.service.manager.record(id)?.verified === true, 'stop back');
    expect(second.service.manager.record(id)).toMatchObject({
      qty: 9,
      takeProfit: null,
      ladder: { taken: 0 },
    });
    expect(venue.openStops()).toMatchObject([{ qty: 9, stopPrice: stop }]);
    await second.stop();
  });

  it('closes the position locally when the price crosses the stop and the venue stop did not trigger', async () => {
    const inner = paper('paperdown');
    // A venue whose stop never fires and which stops answering reads: the local monitor must act.
    let downNow = false;
    const down: StopVenue = {
      id: inner.id,
      supportsReduceOnly: true,
      marketRules: (s) => inner.marketRules(s),
      placeStop: (r) => inner.placeStop(r),
      fetchStop: async (s, c) => {
        if (downNow) throw new VenueError('network', 'venue unreachable');
        return inner.fetchStop(s, c);
      },
      cancelStop: (s, c) => inner.cancelStop(s, c),
    };
    const svc = await start(down);
    const entry = btc[41_000] as number;
    await position({
      status: 'opened',
      exchange: 'paperdown',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0.02,
      avgEntry: entry,
    });
    await waitFor(() => eventsFor('paperdown:BTC-USDT', 'verified').length === 1, 'stop verified');
    const stopPrice = inner.openStops()[0]?.stopPrice as number;
    downNow = true;
    const through = btc.slice(41_000).find((p) => p < stopPrice * 0.995) as number;
    await trade('paperdown', 'BTC-USDT', through, 1);
    const close = await waitFor(
      () => commands.find((c) => c.kind === 'submit' && c.exchange === 'paperdown'),
      'close',
    );
    expect(close).toMatchObject({ side: 'sell', type: 'market', qty: 0.02, reduceOnly: true });
    const triggered = await waitFor(() => eventsFor('paperdown:BTC-USDT', 'triggered')[0], 'triggered event');
    expect(triggered.detail).toContain('local monitor');
    expect(triggered.detail).toContain('unknown');
    await svc.stop();
  });

  it('re-sends an unconfirmed local close under a new client id with alerts, and retires the record once closed', async () => {
    const inner = paper('paperresend');
    // The venue stop never fires (no price feed to it), so the local monitor closes; the orders
    // service never confirms (nothing answers the command): the stops service must notice.
    const quiet: StopVenue = {
      id: inner.id,
      supportsReduceOnly: true,
      marketRules: (s) => inner.marketRules(s),
      placeStop: (r) => inner.placeStop(r),
      fetchStop: (s, c) => inner.fetchStop(s, c),
      cancelStop: (s, c) => inner.cancelStop(s, c),
    };
    let now = Date.now();
    const virtual: Clock = { now: () => now };
    const svc = await start(quiet, { CLOSE_CONFIRM_MS: '60000', CLOSE_ATTEMPTS: '2' }, virtual);
    const id = 'paperresend:BTC-USDT';
    const entry = btc[42_000] as number;
    await position({
      status: 'opened',
      exchange: 'paperresend',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0.03,
      avgEntry: entry,
    });
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    const stopPrice = inner.openStops()[0]?.stopPrice as number;
    const through = btc.slice(42_000).find((p) => p < stopPrice * 0.995) as number;
    const closesSent = () => submitsOn('paperresend');
    const alertsOf = (kind: string) => alerts.filter((a) => a.labels.positionId === id && a.kind === kind);

    await trade('paperresend', 'BTC-USDT', through, 1);
    await waitFor(() => closesSent().length === 1, 'first close');
    await waitFor(() => svc.service.manager.record(id)?.closing?.attempts === 1, 'record kept while closing');
    expect(inner.openStops()).toEqual([]);
    await waitFor(async () => (await svc.coverage()) === 0, 'closing without a stop counts as unprotected');

    now += 60_001;
    await trade('paperresend', 'BTC-USDT', through, 2);
    await waitFor(() => closesSent().length === 2, 'close re-sent');
    const [first, second] = closesSent();
    expect(second).toMatchObject({ side: 'sell', type: 'market', qty: 0.03, reduceOnly: true });
    expect(second?.clientOrderId).toBeDefined();
    expect(second?.clientOrderId).not.toBe(first?.clientOrderId);
    const unconfirmed = await waitFor(() => alertsOf('close_unconfirmed')[0], 'unconfirmed alert');
    expect(unconfirmed.severity).toBe('critical');

    // CLOSE_ATTEMPTS reached: no third close, a "cannot close" alert that repeats on every period.
    now += 60_001;
    await trade('paperresend', 'BTC-USDT', through, 3);
    await waitFor(() => alertsOf('close_failed').length === 1, 'cannot-close alert');
    now += 60_001;
    await trade('paperresend', 'BTC-USDT', through, 4);
    await waitFor(() => alertsOf('close_failed').length === 2, 'cannot-close alert repeats');
    expect(closesSent()).toHaveLength(2);
    expect(alertsOf('close_failed')[0]?.severity).toBe('critical');

    await position({
      status: 'closed',
      exchange: 'paperresend',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0,
      avgEntry: entry,
    });
    await waitFor(() => svc.service.manager.record(id) === undefined, 'record retired');
    await waitFor(async () => (await svc.coverage()) === 1, 'coverage back to 1');
    await svc.stop();
  });

  it('protects each later position on a symbol under a new stop id, across a restart', async () => {
    // The position id names the symbol's slot: every position on ETH-USDT here is `paperagain:ETH-USDT`.
    const venue = paper('paperagain');
    const first = await start(venue);
    const opened = (avgEntry: number) =>
      position({
        status: 'opened',
        exchange: 'paperagain',
        symbol: 'ETH-USDT',
        side: 'long',
        qty: 0.4,
        avgEntry,
      });
    const closed = (avgEntry: number) =>
      position({
        status: 'closed',
        exchange: 'paperagain',
        symbol: 'ETH-USDT',
        side: 'long',
        qty: 0,
        avgEntry,
      });
    await opened(eth[33_000] as number);
    await waitFor(() => eventsFor('paperagain:ETH-USDT', 'verified').length === 1, 'first stop verified');
    const firstStop = venue.openStops()[0];
    await closed(eth[33_000] as number);
    await waitFor(() => eventsFor('paperagain:ETH-USDT', 'cancelled').length === 1, 'first stop cancelled');

    await opened(eth[33_010] as number);
    await waitFor(() => eventsFor('paperagain:ETH-USDT', 'verified').length === 2, 'second stop verified');
    const secondStop = venue.openStops()[0];
    await closed(eth[33_010] as number);
    await waitFor(() => eventsFor('paperagain:ETH-USDT', 'cancelled').length === 2, 'second stop cancelled');
    await first.stop();

    const second = await start(venue);
    await opened(eth[33_020] as number);
    await waitFor(() => eventsFor('paperagain:ETH-USDT', 'verified').length === 3, 'third stop verified');
    const thirdStop = venue.openStops()[0];
    expect(eventsFor('paperagain:ETH-USDT', 'failed')).toEqual([]);
    expect(alerts.filter((a) => a.labels.exchange === 'paperagain')).toEqual([]);
    expect(venue.openStops()).toHaveLength(1);
    const stopIds = [firstStop, secondStop, thirdStop].map((s) => s?.clientOrderId);
    expect(new Set(stopIds).size).toBe(3);
    expect(await second.coverage()).toBe(1);
    await second.stop();
  });

  it('re-places a stop the venue lost while the service was down, and coverage returns to 1', async () => {
    const venue = paper('paperrestart');
    const first = await start(venue);
    const entry = eth[32_000] as number;
    await position({
      status: 'opened',
      exchange: 'paperrestart',
      symbol: 'ETH-USDT',
      side: 'long',
      qty: 0.5,
      avgEntry: entry,
    });
    await waitFor(() => eventsFor('paperrestart:ETH-USDT', 'verified').length === 1, 'stop verified');
    const original = venue.openStops()[0];
    await first.stop();

    // The exchange dropped the order (restart, maintenance): nothing protects the position now.
    await venue.cancelStop('ETH-USDT', original?.clientOrderId ?? '');
    expect(venue.openStops()).toEqual([]);

    const second = await start(venue);
    await waitFor(() => venue.openStops().length === 1, 're-placed stop');
    const replaced = venue.openStops()[0];
    expect(replaced).toMatchObject({ qty: 0.5, stopPrice: original?.stopPrice, side: 'sell' });
    expect(replaced?.clientOrderId).not.toBe(original?.clientOrderId);
    await waitFor(async () => (await second.coverage()) === 1, 'coverage 1 after restart');
    expect(eventsFor('paperrestart:ETH-USDT', 'verified')).toHaveLength(2);
    const text = await second.registry.metrics();
    expect(text).toContain('ballast_stops_coverage_ratio 1');
    expect(text).toContain('ballast_stops_placements_total{outcome="verified"} 1');
    await second.stop();
  });

  it('cancels a stop-limit triggered past its limit before closing at market; waits while its limit can still fill', async () => {
    const inner = paper('papergap');
    const id = 'papergap:BTC-USDT';
    // The venue reports the stop triggered but unfilled, resting at its limit (as Binance keeps a
    // working STOP_LOSS_LIMIT the price gapped past); its coins stay locked until it is cancelled.
    let gapped = false;
    const steps: string[] = [];
    const limitOf = (stopPrice: number) => roundToStep(stopPrice * 0.995, 0.01);
    const working = async (s: string, c: string) => {
      const stop = await inner.fetchStop(s, c);
      return gapped && stop
        ? { ...stop, status: 'triggered' as const, filledQty: 0, limitPrice: limitOf(stop.stopPrice) }
        : stop;
    };
    const venue: StopVenue = {
      id: inner.id,
      supportsReduceOnly: false,
      marketRules: (s) => inner.marketRules(s),
      placeStop: (r) => inner.placeStop(r),
      fetchStop: working,
      cancelStop: async (s, c) => {
        steps.push(
          `cancel with ${commands.filter((x) => x.kind === 'submit' && x.exchange === 'papergap').length} closes sent`,
        );
        const stop = await working(s, c);
        await inner.cancelStop(s, c);
        return stop && { ...stop, status: 'cancelled' as const };
      },
    };
    const svc = await start(venue, { VERIFY_INTERVAL_MS: '0' });
    const entry = btc[43_000] as number;
    await position({
      status: 'opened',
      exchange: 'papergap',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0.02,
      avgEntry: entry,
    });
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    const stopPrice = inner.openStops()[0]?.stopPrice as number;
    gapped = true;
    // Between the stop and its limit: the resting limit may still fill, so nothing is done.
    await trade('papergap', 'BTC-USDT', roundToStep((stopPrice + limitOf(stopPrice)) / 2, 0.01), 1);
    // Past the limit: it cannot fill there.
    const past = roundToStep(limitOf(stopPrice) * 0.99, 0.01);
    await trade('papergap', 'BTC-USDT', past, 2);
    const close = await waitFor(
      () => commands.find((c) => c.kind === 'submit' && c.exchange === 'papergap'),
      'the market close',
    );
    expect(close).toMatchObject({ side: 'sell', type: 'market', qty: 0.02 });
    expect(close.kind === 'submit' && close.intentId).toContain(':gap:');
    expect(steps).toEqual(['cancel with 0 closes sent']);
    expect(inner.openStops()).toEqual([]);
    const triggered = await waitFor(() => eventsFor(id, 'triggered')[0], 'triggered event');
    // Acted on the second price, not the first (prices are handled in order).
    expect(triggered.detail).toContain(
      `past its limit at ${past} (0 of 0.02 filled): cancelled, closing 0.02 at market`,
    );
    // The record notes the close once the command is out (the triggered event may be read first).
    const closing = await waitFor(() => svc.service.manager.record(id)?.closing, 'the close on the record');
    expect(closing).toMatchObject({ attempts: 1, byVenue: false });
    // The close leaves less than a lot (BTCUSDT step 0.00001): nothing more can be sold, the record goes.
    await position({
      status: 'changed',
      exchange: 'papergap',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0.000004,
      avgEntry: entry,
    });
    await waitFor(() => svc.service.manager.record(id) === undefined, 'record retired with only dust left');
    await svc.stop();
  });

  it('protects a position read before its decision with the fallback stop, then its own intent, never the last trade intent', async () => {
    const venue = paper('paperorder');
    const svc = await start(venue);
    const { id, slot } = longSlot('paperorder', 'ETH-USDT');
    const tick = rules('ETH-USDT').tickSize;
    const [first, second] = [eth[34_000] as number, eth[34_010] as number];
    const record = () => svc.service.manager.record(id);
    const intent = (intentId: string, entry: number, stopPct: number, tpPct: number, chain?: string) =>
      approveLong(
        slot,
        intentId,
        0.3,
        {
          entry,
          stop: roundToStep(entry * (1 - stopPct), tick),
          takeProfits: [roundToStep(entry * (1 + tpPct), tick)],
        },
        chain,
      );
    const opened = (avgEntry: number, chain: string) =>
      position({ ...slot, status: 'opened', qty: 0.3, avgEntry }, chain);

    // The first trade: its decision is read first, and its position uses it up.
    const firstChain = await intent('i-first', first, 0.03, 0.05);
    await waitFor(() => svc.service.manager.hasIntent(id), 'first intent seen');
    await opened(first, firstChain);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'first stop verified');
    expect(record()).toMatchObject({ intentId: 'i-first', stopPrice: roundToStep(first * 0.97, tick) });
    expect(svc.service.manager.hasIntent(id)).toBe(false);
    await position({ ...slot, status: 'closed', qty: 0, avgEntry: first });
    await waitFor(() => record() === undefined, 'first record retired');

    // The second trade's position is read before its decision: the fallback stop, no take-profits.
    await opened(second, 'second-trade');
    await waitFor(() => eventsFor(id, 'verified').length === 2, 'second stop verified');
    const fallback = roundToStep(second * 0.98, tick);
    expect(venue.openStops()).toMatchObject([{ qty: 0.3, stopPrice: fallback }]);
    expect(record()).toMatchObject({ intentId: null, ladder: { levels: [], taken: 0 } });

    // Its decision arrives: its stop and take-profits are adopted, and it is used up.
    await intent('i-second', second, 0.04, 0.06, 'second-trade');
    const adopted = roundToStep(second * 0.96, tick);
    await waitFor(() => venue.openStops()[0]?.stopPrice === adopted, 'own intent stop adopted');
    expect(record()).toMatchObject({
      intentId: 'i-second',
      awaiting: null,
      ladder: { levels: [roundToStep(second * 1.06, tick)], taken: 0 },
    });
    expect(svc.service.manager.hasIntent(id)).toBe(false);
    expect(eventsFor(id, 'failed')).toEqual([]);
    await svc.stop();
  });

  it('adopts a decision redelivered after its first adoption failed: market rules unreadable once', async () => {
    // A venue whose market rules fail once, when armed: the decision's handler fails and is redelivered.
    class FlakyRules extends PaperStopVenue {
      failNext = false;
      override async marketRules(symbol: string): Promise<MarketRules> {
        if (this.failNext) {
          this.failNext = false;
          throw new VenueError('network', 'exchangeInfo timed out');
        }
        return super.marketRules(symbol);
      }
    }
    const venue = new FlakyRules({
      venue: 'paperflaky',
      rules,
      ids,
      limitOffsetBps: DEFAULT_STOP_LIMIT_OFFSET_BPS,
    });
    const svc = await start(venue);
    const { id, slot } = longSlot('paperflaky', 'SOL-USDT');
    const tick = rules('SOL-USDT').tickSize;
    const entry = sol[10_000] as number;
    await position({ ...slot, status: 'opened', qty: 2, avgEntry: entry }, 'flaky-trade');
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'fallback stop verified');

    venue.failNext = true;
    const stop = roundToStep(entry * 0.96, tick);
    const takeProfit = roundToStep(entry * 1.06, tick);
    await approveLong(slot, 'i-flaky', 2, { entry, stop, takeProfits: [takeProfit] }, 'flaky-trade');
    await waitFor(() => venue.openStops()[0]?.stopPrice === stop, 'intent stop adopted on redelivery');
    expect(venue.failNext).toBe(false);
    expectIntentUsed(svc.service.manager, id, 'i-flaky', takeProfit);
    await svc.stop();
  });

  it('protects neither a fill reconciliation recorded nor another trade with an unused intent; forgets a refused one', async () => {
    const { id, slot } = longSlot('paperadopt', 'BTC-USDT');
    const venue = paper(slot.exchange);
    const svc = await start(venue);
    const entry = btc[44_000] as number;
    // An approved entry from earlier whose order never filled: its stop is above today's price.
    let earlier = 43_999;
    while ((btc[earlier] as number) * 0.98 <= entry) earlier--;
    const stale = btc[earlier] as number;
    const approveAt = (intentId: string, price: number) =>
      approveLong(slot, intentId, 0.02, {
        entry: price,
        stop: roundToStep(price * 0.98, 0.01),
        takeProfits: [roundToStep(price * 1.04, 0.01)],
      });
    await approveAt('i-unfilled', stale);
    await waitFor(() => svc.service.manager.hasIntent(id), 'unfilled intent seen');

    // An external buy reconciliation recorded: no strategy opened it.
    await position({ ...slot, status: 'opened', qty: 0.02, avgEntry: entry, strategy: null });
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    expect(venue.openStops()).toMatchObject([{ qty: 0.02, stopPrice: roundToStep(entry * 0.98, 0.01) }]);
    expect(svc.service.manager.record(id)).toMatchObject({
      intentId: null,
      awaiting: null,
      ladder: { levels: [] },
    });
    expect(eventsFor(id, 'failed')).toEqual([]);

    await position({ ...slot, status: 'closed', qty: 0, avgEntry: entry });
    await waitFor(() => svc.service.manager.record(id) === undefined, 'first record retired');

    // The same strategy opens a position in another trade, read before its own decision: the unused
    // intent is not its own either.
    await position({ ...slot, status: 'opened', qty: 0.02, avgEntry: entry }, 'another-trade');
    await waitFor(() => eventsFor(id, 'verified').length === 2, 'second stop verified');
    expect(venue.openStops()).toMatchObject([{ qty: 0.02, stopPrice: roundToStep(entry * 0.98, 0.01) }]);
    expect(svc.service.manager.record(id)).toMatchObject({
      intentId: null,
      awaiting: { strategy: 'test', correlationId: 'another-trade' },
    });
    expect(eventsFor(id, 'failed')).toEqual([]);
    await position({ ...slot, status: 'closed', qty: 0, avgEntry: entry });
    await waitFor(() => svc.service.manager.record(id) === undefined, 'second record retired');
    // Neither was flattened for a stop on the wrong side of its entry.
    expect(commands.filter((c) => c.kind === 'submit' && c.exchange === 'paperadopt')).toEqual([]);

    // An intent whose order the venue refused is forgotten too; the unfilled one waits out its bound.
    await approveAt('i-refused', entry);
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-refused'), 'refused intent seen');
    await bus.publish(subject(Subjects.orderEvent, {}), {
      status: 'rejected',
      intentId: 'i-refused',
      clientOrderId: 'bl-refused-0',
      venueOrderId: null,
      exchange: 'paperadopt',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'market',
      qty: 0.02,
      filledQty: 0,
      avgPrice: null,
      fill: null,
      reason: 'insufficient_funds',
      detail: 'Account has insufficient balance for requested action.',
    });
    await waitFor(() => !svc.service.manager.hasIntent(id, 'i-refused'), 'refused intent forgotten');
    expect(svc.service.manager.hasIntent(id, 'i-unfilled')).toBe(true);
    await svc.stop();
  });

  it('protects a position with the intent whose decision was read before a restart', async () => {
    const venue = paper('paperlater');
    const { id, slot } = longSlot('paperlater', 'ETH-USDT');
    const tick = rules('ETH-USDT').tickSize;
    const entry = eth[35_000] as number;
    const stop = roundToStep(entry * 0.95, tick);
    const takeProfit = roundToStep(entry * 1.07, tick);
    const before = await start(venue);
    const chain = await approveLong(slot, 'i-before-restart', 0.3, {
      entry,
      stop,
      takeProfits: [takeProfit],
    });
    await waitFor(() => before.service.manager.hasIntent(id), 'intent read');
    await before.stop();

    // The decision was acked before the restart: only the stored intent can protect its fill.
    const after = await start(venue);
    const opened = { qty: 0.3, entry, stop, intentId: 'i-before-restart', takeProfit };
    await expectOpenedWithIntent(after.service.manager, venue, slot, chain, opened);
    await after.stop();
  });

  it('keeps two approvals on one market before the first fill: each position gets its own', async () => {
    const { id, slot } = longSlot('paperpair', 'SOL-USDT');
    const [first, second] = [sol[12_000] as number, sol[12_010] as number];
    const tick = rules(slot.symbol).tickSize;
    const venue = paper(slot.exchange);
    const svc = await start(venue);
    const prices = (entry: number, stopPct: number, tpPct: number) => ({
      entry,
      stop: roundToStep(entry * (1 - stopPct), tick),
      takeProfits: [roundToStep(entry * (1 + tpPct), tick)],
    });
    const firstChain = await approveLong(slot, 'i-pair-1', 2, prices(first, 0.03, 0.05));
    const secondChain = await approveLong(slot, 'i-pair-2', 2, prices(second, 0.04, 0.06));
    // Decisions are read in order: once a later one on another market is seen, both were read.
    const marker = longSlot('paperpair', 'BTC-USDT');
    await approveLong(marker.slot, 'i-pair-marker', 0.01, prices(btc[44_000] as number, 0.03, 0.05));
    await waitFor(() => svc.service.manager.hasIntent(marker.id), 'both approvals read');
    const record = () => svc.service.manager.record(id);

    await position({ ...slot, status: 'opened', qty: 2, avgEntry: first }, firstChain);
    await waitFor(() => record()?.intentId === 'i-pair-1', 'first position has its intent');
    // Its stop is stored before it is sent: the venue holds it a moment after the record is made.
    await waitFor(() => venue.openStops()[0]?.stopPrice === prices(first, 0.03, 0.05).stop, 'first stop');
    expect(venue.openStops()).toMatchObject([{ stopPrice: prices(first, 0.03, 0.05).stop }]);
    expect(record()).toMatchObject({ ladder: { levels: prices(first, 0.03, 0.05).takeProfits } });
    await position({ ...slot, status: 'closed', qty: 0, avgEntry: first });
    await waitFor(() => record() === undefined, 'first record retired');

    await position({ ...slot, status: 'opened', qty: 2, avgEntry: second }, secondChain);
    await waitFor(() => record()?.intentId === 'i-pair-2', 'second position has its intent');
    await waitFor(() => venue.openStops()[0]?.stopPrice === prices(second, 0.04, 0.06).stop, 'second stop');
    expect(venue.openStops()).toMatchObject([{ stopPrice: prices(second, 0.04, 0.06).stop }]);
    expect(record()).toMatchObject({ ladder: { levels: prices(second, 0.04, 0.06).takeProfits } });
    expect(svc.service.manager.hasIntent(id)).toBe(false);
    await svc.stop();
  });

  it('keeps the intent of a TWAP entry one slice of which was refused: the position its other slice opens gets the intent stop and take-profits', async () => {
    const { id, slot } = longSlot('paperslice', 'BTC-USDT');
    const venue = paper(slot.exchange);
    const svc = await start(venue);
    const entry = btc[44_100] as number;
    const stop = roundToStep(entry * 0.97, 0.01);
    const takeProfit = roundToStep(entry * 1.05, 0.01);
    const chain = await approveLong(slot, 'i-twap', 0.02, { entry, stop, takeProfits: [takeProfit] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-twap'), 'intent seen');

    // The first of two slices is refused: the second is still to be sent, the entry is not over.
    await entryOrder(slot, { intentId: 'i-twap', slice: 0, status: 'rejected', qty: 0.01 }, chain);
    await orderEventsRead(svc.service.manager, slot.exchange);
    expect(svc.service.manager.hasIntent(id, 'i-twap')).toBe(true);

    // The second fills and opens the position, which gets the intent's stop and ladder, not the fallback.
    await entryOrder(slot, { intentId: 'i-twap', slice: 1, status: 'filled', qty: 0.01 }, chain, entry);
    const opened = { qty: 0.01, entry, stop, intentId: 'i-twap', takeProfit };
    await expectOpenedWithIntent(svc.service.manager, venue, slot, chain, opened);
    await svc.stop();
  });

  it('forgets a TWAP entry refused whole once its last slice is refused, across a restart; a repeated refusal counts once', async () => {
    const { id, slot } = longSlot('paperrefused', 'SOL-USDT');
    const tick = rules(slot.symbol).tickSize;
    const venue = paper(slot.exchange);
    const entry = sol[12_100] as number;
    const first = await start(venue);
    const chain = await approveLong(slot, 'i-twap-refused', 6, {
      entry,
      stop: roundToStep(entry * 0.96, tick),
      takeProfits: [roundToStep(entry * 1.06, tick)],
    });
    await waitFor(() => first.service.manager.hasIntent(id, 'i-twap-refused'), 'intent seen');
    const refuse = (slice: number) =>
      entryOrder(slot, { intentId: 'i-twap-refused', slice, status: 'rejected', qty: 2 }, chain);
    await refuse(0);
    await refuse(0);
    await refuse(1);
    // Two of its three slices refused (the first twice): the intent waits, stored with what they left.
    const store = botStatePendingIntents(new BotStateRepository(handle.db, clock), slot.exchange);
    const unfilled = {
      [clientOrderId('bl-', 'i-twap-refused', 0)]: 2,
      [clientOrderId('bl-', 'i-twap-refused', 1)]: 2,
    };
    const stored = await waitFor(async () => {
      const orders = (await store.load()).find((p) => p.intent.intentId === 'i-twap-refused')?.orders;
      return Object.keys(orders?.unfilled ?? {}).length === 2 ? orders : undefined;
    }, 'two refused slices stored');
    expect(stored).toEqual({ filled: false, unfilled });
    expect(first.service.manager.hasIntent(id, 'i-twap-refused')).toBe(true);
    await first.stop();

    // After a restart the last refusal ends the entry: the intent is forgotten.
    const second = await start(venue);
    expect(second.service.manager.hasIntent(id, 'i-twap-refused')).toBe(true);
    await refuse(2);
    await waitFor(() => !second.service.manager.hasIntent(id, 'i-twap-refused'), 'refused entry forgotten');
    await second.stop();
  });

  it('forgets an entry the kill cancelled with nothing filled; one that filled a slice keeps its intent for its position', async () => {
    const { id, slot } = longSlot('paperkilled', 'BTC-USDT');
    const venue = paper(slot.exchange);
    const svc = await start(venue);
    const entry = btc[44_200] as number;
    const stop = roundToStep(entry * 0.97, 0.01);
    const takeProfit = roundToStep(entry * 1.05, 0.01);
    const prices = { entry, stop, takeProfits: [takeProfit] };

    // A direct entry held back by the kill: announced cancelled, nothing filled.
    const direct = await approveLong(slot, 'i-killed', 0.02, prices);
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-killed'), 'intent seen');
    await entryOrder(slot, { intentId: 'i-killed', slice: 0, status: 'cancelled', qty: 0.02 }, direct);
    await waitFor(() => !svc.service.manager.hasIntent(id, 'i-killed'), 'kill-cancelled entry forgotten');

    // A TWAP whose first slice filled before the kill cancelled the other two: its position uses it.
    const twap = await approveLong(slot, 'i-killed-twap', 0.03, prices);
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-killed-twap'), 'TWAP intent seen');
    const slice = (n: number, status: 'cancelled' | 'filled') =>
      entryOrder(slot, { intentId: 'i-killed-twap', slice: n, status, qty: 0.01 }, twap, entry);
    await slice(0, 'filled');
    await slice(1, 'cancelled');
    await slice(2, 'cancelled');
    await orderEventsRead(svc.service.manager, slot.exchange);
    expect(svc.service.manager.hasIntent(id, 'i-killed-twap')).toBe(true);
    const opened = { qty: 0.01, entry, stop, intentId: 'i-killed-twap', takeProfit };
    await expectOpenedWithIntent(svc.service.manager, venue, slot, twap, opened);
    await svc.stop();
  });

  it('resumes a take-profit after a restart: sent again under its ids, undone when unanswered; one never sent is dropped', async () => {
    const k = sol.findIndex((p, i) => i > 2000 && (sol[i + 5] ?? 0) > p * 1.03);
    const [entry, price] = [sol[k] as number, sol[k + 5] as number];
    const tick = rules('SOL-USDT').tickSize;
    // 20 SOL at about 1.35: each half (about 13.5 USDT) is above SOLUSDT's 10 USDT minimum notional.
    const { id, slot } = longSlot('paperresume', 'SOL-USDT');
    const venue = paper('paperresume');
    let now = Date.now();
    const virtual: Clock = { now: () => now };
    const overrides = { CLOSE_CONFIRM_MS: '60000', VERIFY_INTERVAL_MS: '0' };
    const closes = () => submitsOn('paperresume');
    const first = await start(venue, overrides, virtual);
    const chain = await approveLong(slot, 'i-resume', 20, {
      entry,
      stop: roundToStep(entry * 0.95, tick),
      takeProfits: [roundToStep(entry * 1.02, tick)],
    });
    await waitFor(() => first.service.manager.hasIntent(id), 'intent seen');
    await position({ ...slot, status: 'opened', qty: 20, avgEntry: entry }, chain);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    await trade('paperresume', 'SOL-USDT', price, 1);
    const sent = await waitFor(() => closes()[0], 'take-profit sent');
    expect(sent).toMatchObject({ side: 'sell', qty: 10, reduceOnly: true });
    // The stop was moved onto what stays before the sale went out.
    const breakeven = breakevenPrice('long', entry, 0.002, tick);
    expect(venue.openStops()).toMatchObject([{ qty: 10, stopPrice: breakeven }]);
    await first.stop();

    // Restarted before the orders service answered: the take-profit goes again under the same ids.
    const second = await start(venue, overrides, virtual);
    await waitFor(() => closes().length === 2, 'take-profit sent again');
    expect(closes()[1]).toMatchObject({
      clientOrderId: sent.clientOrderId,
      intentId: sent.intentId,
      qty: 10,
    });
    // Still no answer after CLOSE_CONFIRM_MS (a price of any symbol moves the clock): the stop covers
    // the whole position again and the ladder stays.
    now += 60_001;
    await trade('paperresume', 'BTC-USDT', btc[44_000] as number, 2);
    const failed = await waitFor(
      () => alerts.find((a) => a.labels.positionId === id && a.kind === 'take_profit_failed'),
      'unanswered take-profit undone',
    );
    expect(failed.message).toContain('unanswered');
    await waitFor(() => venue.openStops()[0]?.qty === 20, 'whole position under the stop');
    expect(second.service.manager.record(id)).toMatchObject({
      qty: 20,
      takeProfit: null,
      ladder: { taken: 0 },
    });
    await second.stop();

    // Caught after the take-profit was saved but before its stop moved: it was never sent, and is dropped.
    const store = new ProtectiveStopRepository(handle.db, clock, StopRecord);
    const saved = (await store.get(id))?.state as StopRecord;
    const takeProfit = {
      level: 1,
      qty: 10,
      keep: 10,
      purpose: `tp1:${saved.seq}`,
      sentAt: now,
      fills: {},
      seen: null,
      grown: 0,
    };
    await store.save(saved, 'active', { ...saved, takeProfit });
    const third = await start(venue, overrides, virtual);
    expect(third.service.manager.record(id)).toMatchObject({ qty: 20, takeProfit: null, verified: true });
    expect(venue.openStops()).toMatchObject([{ qty: 20 }]);
    expect(closes()).toHaveLength(2);
    await third.stop();
  });
});

describe('adds to an open position, and the trailing ATR (NATS + PostgreSQL + paper stop venue)', () => {
  // SOLUSDT filters: tick 0.01, step 0.01 (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
  const tick = 0.01;

  it("moves the whole position's stop to an add's tighter stop, keeps it for a looser one or another slice", async () => {
    const [e1, e2, e3] = [sol[10_000], sol[10_050], sol[10_100]] as [number, number, number];
    const {
      venue,
      svc,
      id,
      slot,
      chain: opening,
    } = await openLong('paperadd', 'i-open', 10, e1, roundToStep(e1 * 0.95, tick), [
      roundToStep(e1 * 1.3, tick),
    ]);
    // The orders service sends an add's position events in the opening's chain, naming the add's intent.
    const grown = (qty: number, avgEntry: number, intentId: string) =>
      position({ ...slot, status: 'changed', qty, avgEntry, intentId }, opening);

    // The add was sized by risk to lose its share at 98 % of its entry: every lot now stops there.
    const addStop = roundToStep(e2 * 0.98, tick);
    await approveLong(slot, 'i-add', 5, { entry: e2, stop: addStop, takeProfits: [] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-add'), 'add intent seen');
    await grown(13, (10 * e1 + 3 * e2) / 13, 'i-add');
    await waitFor(() => eventsFor(id, 'moved').at(-1)?.stopPrice === addStop, 'the stop moved for the add');
    await waitFor(() => !svc.service.manager.hasIntent(id, 'i-add'), 'the add used');
    expect(venue.openStops()).toMatchObject([{ qty: 13, stopPrice: addStop }]);

    // The add's second slice: a bigger position under the same stop.
    await grown(15, (10 * e1 + 5 * e2) / 15, 'i-add');
    await waitFor(() => venue.openStops()[0]?.qty === 15, 'the stop covers the second slice');
    expect(venue.openStops()).toMatchObject([{ qty: 15, stopPrice: addStop }]);

    // A later add sized to a looser stop: the tighter one stays, so no lot loses more than it was sized for.
    await approveLong(slot, 'i-add-2', 4, { entry: e3, stop: roundToStep(e3 * 0.9, tick), takeProfits: [] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-add-2'), 'second add intent seen');
    await grown(19, (10 * e1 + 5 * e2 + 4 * e3) / 19, 'i-add-2');
    await waitFor(() => venue.openStops()[0]?.qty === 19, 'the stop covers the second add');
    await waitFor(() => !svc.service.manager.hasIntent(id, 'i-add-2'), 'second add used');
    expect(venue.openStops()).toMatchObject([{ qty: 19, stopPrice: addStop }]);
    expect(svc.service.manager.record(id)).toMatchObject({ intentId: 'i-open', strategy: 'test' });
    await svc.stop();
  });

  it("gives an add's take-profits to a position whose ladder is all taken; another strategy's entry is no add", async () => {
    const [e1, e2] = [sol[12_000], sol[12_040]] as [number, number];
    const { venue, svc, id, slot, chain } = await openLong('paperaddtp', 'i-tp-open', 10, e1);
    const opening = venue.openStops()[0]?.stopPrice;

    // Another strategy's entry on this market (risk would deny it: market_held) does not move the stop.
    await approve({
      intentId: 'i-other',
      strategy: 'other',
      exchange: slot.exchange,
      symbol: slot.symbol,
      positionSide: 'long',
      qty: 4,
      entry: e2,
      stop: roundToStep(e2 * 0.99, tick),
      takeProfits: [],
    });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-other'), 'other intent seen');
    await position({ ...slot, status: 'changed', qty: 14, avgEntry: e1, intentId: 'i-other' }, chain);
    await waitFor(() => venue.openStops()[0]?.qty === 14, 'the stop covers the growth');
    expect(venue.openStops()).toMatchObject([{ qty: 14, stopPrice: opening }]);

    const addStop = roundToStep(e2 * 0.97, tick);
    const target = roundToStep(e2 * 1.2, tick);
    await approveLong(slot, 'i-tp-add', 4, { entry: e2, stop: addStop, takeProfits: [target] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-tp-add'), 'add intent seen');
    await position({ ...slot, status: 'changed', qty: 18, avgEntry: e1, intentId: 'i-tp-add' }, chain);
    await waitFor(() => venue.openStops()[0]?.stopPrice === addStop, "the add's stop adopted");
    expect(svc.service.manager.record(id)).toMatchObject({
      intentId: 'i-tp-open',
      qty: 18,
      ladder: { levels: [target], taken: 0 },
    });
    expect(svc.service.manager.hasIntent(id, 'i-other')).toBe(true);
    await svc.stop();
  });

  it('adopts an add whose fill is read before its decision, once the decision comes; no later position takes it', async () => {
    const [e1, e2] = [sol[13_000], sol[13_020]] as [number, number];
    const { venue, svc, id, slot, chain } = await openLong('paperlateadd', 'i-late-open', 10, e1);
    await position({ ...slot, status: 'changed', qty: 14, avgEntry: e1, intentId: 'i-late-add' }, chain);
    // A reconciliation adjustment's growth, never decided, waits beside it.
    await position({ ...slot, status: 'changed', qty: 15, avgEntry: e1, intentId: 'recon:adjust:1' }, chain);
    await waitFor(
      () => svc.service.manager.record(id)?.awaitingAdds.join() === 'i-late-add,recon:adjust:1',
      'the add awaited',
    );
    await waitFor(() => venue.openStops()[0]?.qty === 15, 'the stop covers the growth');
    expect(venue.openStops()).toMatchObject([{ qty: 15, stopPrice: roundToStep(e1 * 0.95, tick) }]);

    const addStop = roundToStep(e2 * 0.98, tick);
    await approveLong(slot, 'i-late-add', 4, { entry: e2, stop: addStop, takeProfits: [] });
    await waitFor(() => venue.openStops()[0]?.stopPrice === addStop, "the add's stop adopted");
    expect(svc.service.manager.record(id)).toMatchObject({ awaitingAdds: ['recon:adjust:1'], qty: 15 });
    expect(svc.service.manager.hasIntent(id, 'i-late-add')).toBe(false);
    await svc.stop();
  });

  it('takes an opening read before its decision as the opening when its second fill names it, not as an add', async () => {
    const venue = paper('paperopenslice');
    const svc = await start(venue);
    const { id, slot } = longSlot('paperopenslice', 'SOL-USDT');
    const entry = sol[13_500] as number;
    const chain = `open-slice-${uniqueName('chain')}`;
    // Read before its decision: the fallback stop (2 %), then the order's second fill naming its intent.
    await position({ ...slot, status: 'opened', qty: 4, avgEntry: entry, intentId: 'i-slice-open' }, chain);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'fallback stop verified');
    await position({ ...slot, status: 'changed', qty: 6, avgEntry: entry, intentId: 'i-slice-open' }, chain);
    await waitFor(() => venue.openStops()[0]?.qty === 6, 'the stop covers the second fill');
    const stop = roundToStep(entry * 0.95, tick);
    await approveLong(slot, 'i-slice-open', 6, { entry, stop, takeProfits: [] }, chain);
    await waitFor(() => svc.service.manager.record(id)?.intentId === 'i-slice-open', 'the opening adopted');
    await waitFor(() => venue.openStops()[0]?.stopPrice === stop, "the intent's stop placed");
    expect(svc.service.manager.record(id)).toMatchObject({
      awaiting: null,
      awaitingAdds: [],
      stopPrice: stop,
    });
    expect(venue.openStops()).toMatchObject([{ qty: 6, stopPrice: stop }]);
    await svc.stop();
  });

  it("does not take a take-profit's first fill, read after its last, for growth", async () => {
    const entry = sol[15_000] as number;
    const target = roundToStep(entry * 1.02, tick);
    const { venue, svc, id, slot } = await openLong('paperstaletp', 'i-stale-tp', 10, entry, undefined, [
      target,
    ]);
    await trade('paperstaletp', 'SOL-USDT', target, 1);
    const sale = await waitFor(() => submitsOn('paperstaletp')[0], 'TP1 sale of half');
    await waitFor(() => venue.openStops()[0]?.qty === 5, 'the stop covers the half kept');
    await entryOrder(
      slot,
      { intentId: sale.intentId, slice: 0, status: 'filled', qty: 5 },
      'tp-chain',
      target,
    );
    await waitFor(() => svc.service.manager.record(id)?.takeProfit === null, 'the sale filled');
    // The position event of the sale's first fill (3 of 5), read last.
    await position({ ...slot, status: 'changed', qty: 7, avgEntry: entry, intentId: sale.intentId });
    await position({ ...slot, status: 'changed', qty: 5, avgEntry: entry, intentId: sale.intentId });
    // Then a sale of 1 more (an operator's): the stop follows to 4, after the two events above.
    await position({ ...slot, status: 'changed', qty: 4, avgEntry: entry, intentId: 'operator-1' });
    await waitFor(() => venue.openStops()[0]?.qty === 4, 'the stop covers the 4 left');
    expect(eventsFor(id, 'placed').map((e) => e.qty)).not.toContain(7);
    await svc.stop();
  });

  it('covers a position that grew while a take-profit sold: the stop follows the 9 held, not the 5 kept', async () => {
    const grown = await growDuringTakeProfit('papertpgrow', sol[15_000] as number);
    const { venue, svc, id, sale } = grown;
    await sellTakeProfit(svc.service.manager, grown, sale);
    await positionEventsRead(svc.service.manager, 'papertpgrow');
    expect(solStops(venue)).toMatchObject([{ qty: 9, status: 'open' }]);
    expect(svc.service.manager.record(id)).toMatchObject({ qty: 9, verified: true, takeProfit: null });
    await svc.stop();
  });

  it('covers a position that grew while a take-profit sold across a restart of the stops service', async () => {
    const grown = await growDuringTakeProfit('papertpgrowrs', sol[15_500] as number);
    const { venue, id, sale } = grown;
    // Restarted with the sale out and the growth read: the growth is stored with the take-profit.
    await grown.svc.stop();
    const second = await start(venue);
    await sellTakeProfit(second.service.manager, grown, sale);
    await positionEventsRead(second.service.manager, 'papertpgrowrs');
    expect(solStops(venue)).toMatchObject([{ qty: 9, status: 'open' }]);
    await second.stop();
    // And a restart after it finds the stop on all of it.
    const third = await start(venue);
    expect(third.service.manager.record(id)).toMatchObject({ qty: 9, verified: true });
    expect(solStops(venue)).toMatchObject([{ qty: 9, status: 'open' }]);
    await third.stop();
  });

  it("gives a re-entry whose fill is read before the old position's close its own stop, not an add's", async () => {
    const [e1, e2] = [sol[14_000], sol[14_030]] as [number, number];
    const { venue, svc, id, slot, chain } = await openLong('paperreentry', 'i-re-1', 10, e1);

    // Closed outside the stops service (an operator's flatten); before its close is read, the same
    // strategy enters again and that entry's fill is read.
    const stop2 = roundToStep(e2 * 0.99, tick);
    const target2 = roundToStep(e2 * 1.03, tick);
    const second = await approveLong(slot, 'i-re-2', 6, { entry: e2, stop: stop2, takeProfits: [target2] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-re-2'), 'second intent seen');
    await entryOrder(slot, { intentId: 'i-re-2', slice: 0, status: 'filled', qty: 6 }, second, e2);
    await position({ ...slot, status: 'closed', qty: 0, avgEntry: e1 }, chain);
    await waitFor(() => svc.service.manager.record(id) === undefined, 'chain position retired');
    await position({ ...slot, status: 'opened', qty: 6, avgEntry: e2 }, second);
    await waitFor(() => eventsFor(id, 'verified').length === 2, 'second stop verified');
    expect(venue.openStops()).toMatchObject([{ qty: 6, stopPrice: stop2 }]);
    expect(svc.service.manager.record(id)).toMatchObject({
      intentId: 'i-re-2',
      ladder: { levels: [target2] },
    });
    await svc.stop();
  });

  it("checks a bar's extreme only when none of its trades were seen: an older low does not close the position", async () => {
    const { svc, id, slot, recorded, stop } = await openOverBarLow('paperbarlow', 'i-barlow');
    // The bar's trades were seen from its open to its close, each above the stop (at its close): its
    // low is older than them.
    const times: number[] = [];
    for (let t = recorded.openTime + 10_000; t < recorded.openTime + 3_600_000; t += 30_000) times.push(t);
    await tradesAt('paperbarlow', recorded.close, times);
    await bar(slot, '1h', recorded);
    // The next bar, none of whose trades were seen (a stream gap), reaching under the stop: its low counts.
    const next = {
      ...recorded,
      openTime: recorded.openTime + 3_600_000,
      low: stop - tick,
      open: recorded.close,
    };
    await bar(slot, '1h', {
      ...next,
      close: Math.max(next.close, stop + tick),
      high: Math.max(next.high, stop + tick),
    });
    await waitFor(() => eventsFor(id, 'triggered').length === 1, 'the next bar triggers the stop');
    expect(eventsFor(id, 'triggered')[0]?.detail).toContain(`at ${stop - tick}`);
    await svc.stop();
  });

  it('checks the extreme of a bar whose feed reconnected, however briefly: a stop touched only during the outage closes the position', async () => {
    const { svc, id, slot, recorded } = await openOverBarLow('paperreconnect', 'i-reconnect');
    // Trades every 15 s, above the stop, but for a 40 s reconnect half-way through the bar (shorter than
    // TRADE_RUN_GAP_MS): the low under the stop printed then, and no trade of it reached us.
    const drop = recorded.openTime + 1_800_000;
    const status = (state: 'reconnecting' | 'live', at: number) =>
      bus.publish(
        subject(Subjects.feedStatus, { exchange: 'paperreconnect' }),
        { exchange: 'paperreconnect', symbol: null, state, reason: 'socket closed', lastMessageTime: null },
        { eventTime: at },
      );
    await status('reconnecting', drop + 1_000);
    await status('live', drop + 40_000);
    const times: number[] = [];
    for (let t = recorded.openTime + 5_000; t < recorded.openTime + 3_600_000; t += 15_000)
      if (t < drop || t > drop + 40_000) times.push(t);
    await tradesAt('paperreconnect', recorded.close, times);
    await bar(slot, '1h', recorded);
    await waitFor(() => eventsFor(id, 'triggered').length === 1, "the bar's low triggers the stop");
    expect(eventsFor(id, 'triggered')[0]?.detail).toContain(`at ${recorded.low}`);
    await svc.stop();
  });

  it("judges a gapped bar's low by the stop in force before a take-profit moved it during the bar: a low above that stop closes nothing", async () => {
    const venue = paper('papertpbar');
    const svc = await start(venue);
    const { id, slot } = longSlot('papertpbar', 'SOL-USDT');
    const tick = rules('SOL-USDT').tickSize;
    // A real SOLUSDT 1h bar ranging more than 3.5 % and closing 1 % over its low: entered just above its
    // low, it reaches the first take-profit (2 %), whose stop at breakeven is above the low.
    const bars = recordedBars('binance-spot-ohlcv/SOLUSDT-1h.csv.gz');
    const recorded = bars.find(
      (b, i) => i > 10_000 && b.high > b.low * 1.035 && b.close > b.low * 1.01,
    ) as ReplayedCandle;
    const entry = roundToStep(recorded.low / 0.995, tick);
    const tp1 = roundToStep(entry * 1.02, tick);
    const breakeven = breakevenPrice('long', entry, 0.002, tick);
    expect(recorded.low).toBeLessThan(breakeven);
    const chain = await approveLong(slot, 'i-tpbar', 2, {
      entry,
      stop: roundToStep(entry * 0.95, tick),
      takeProfits: [tp1, roundToStep(entry * 1.1, tick)],
    });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-tpbar'), 'intent seen');
    await position({ ...slot, status: 'opened', qty: 2, avgEntry: entry }, chain);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    // One trade of the bar reached us (a stream with gaps): at the take-profit, 20 minutes in.
    await tradesAt('papertpbar', tp1, [recorded.openTime + 1_200_000]);
    await waitFor(() => venue.openStops()[0]?.stopPrice === breakeven, 'stop at breakeven');
    await bar(slot, '1h', recorded);
    // The next trade under breakeven is what triggers the stop, not the bar's low.
    await tradesAt('papertpbar', breakeven - tick, [recorded.openTime + 3_660_000]);
    await waitFor(() => eventsFor(id, 'triggered').length > 0, 'the trade under breakeven triggers the stop');
    expect(eventsFor(id, 'triggered')).toMatchObject([
      { detail: expect.stringContaining(`at ${breakeven - tick}`) },
    ]);
    await svc.stop();
  });

  it('judges no stop by a bar older than one already seen (a redelivery): its low does not close the position', async () => {
    const venue = paper('paperstale');
    const svc = await start(venue);
    const { id, slot } = longSlot('paperstale', 'SOL-USDT');
    // A real SOLUSDT 1h bar whose low is more than 1 % under its close, and the two bars after it.
    const bars = recordedBars('binance-spot-ohlcv/SOLUSDT-1h.csv.gz');
    const at = bars.findIndex((b, i) => i > 10_000 && b.low < b.close * 0.99);
    const [old, next, last] = [at, at + 1, at + 2].map((i) => bars[i] as ReplayedCandle) as [
      ReplayedCandle,
      ReplayedCandle,
      ReplayedCandle,
    ];
    const stop = roundToStep((old.low + old.close) / 2, tick);
    const chain = await approveLong(slot, 'i-stale', 5, { entry: old.close, stop, takeProfits: [] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-stale'), 'intent seen');
    await position({ ...slot, status: 'opened', qty: 5, avgEntry: old.close }, chain);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    // The real bar, lifted where it reached under the stop.
    const floor = stop + tick;
    const above = (b: ReplayedCandle) => ({
      ...b,
      open: Math.max(b.open, floor),
      low: Math.max(b.low, floor),
      close: Math.max(b.close, floor),
      high: Math.max(b.high, floor),
    });
    await bar(slot, '1h', above(next));
    // The older bar, delivered again after the newer one: its low under the stop is past.
    await bar(slot, '1h', old);
    // A newer bar reaching under the stop does close: read after the old one, so that one was judged first.
    await bar(slot, '1h', { ...above(last), low: stop - tick });
    await waitFor(() => eventsFor(id, 'triggered').length === 1, 'the newer bar triggers the stop');
    expect(eventsFor(id, 'triggered')[0]?.detail).toContain(`at ${stop - tick}`);
    await svc.stop();
  });

  it('where stops are reduce-only, closes at once when a whole sale is refused after the stop triggered during it', async () => {
    const { svc, id, slot, chain, price, stop, sales } = await wholeSaleLong(
      'paperwholefail',
      6000,
      {},
      clock,
      true,
    );
    await trade('paperwholefail', 'SOL-USDT', price, 1);
    const sale = await waitFor(() => sales()[0], 'sale of everything');
    await trade('paperwholefail', 'SOL-USDT', stop, 2);
    await waitFor(() => eventsFor(id, 'triggered').length === 1, 'stop triggered during the sale');
    expect(sales()).toHaveLength(1);
    await entryOrder(slot, { intentId: sale.intentId, slice: 0, status: 'rejected', qty: 9 }, chain);
    const close = await waitFor(() => sales()[1], 'the close, at once');
    expect(close).toMatchObject({ side: 'sell', type: 'market', qty: 9, reduceOnly: true });
    await svc.stop();
  });

  it('on a spot account, cancels the stop before a take-profit sells the whole position and puts it back when the sale is refused', async () => {
    const { svc, venue, id, slot, chain, price, stop, sales } = await wholeSaleLong(
      'paperwholespot',
      3500,
      {},
    );
    const [resting] = venue.openStops();
    await trade('paperwholespot', 'SOL-USDT', price, 1);
    const sale = await waitFor(() => sales()[0], 'sale of everything');
    expect(sale).toMatchObject({ side: 'sell', type: 'market', qty: 9, reduceOnly: true });
    // The stop locked the coins the sale sells: it was cancelled before the sale went out.
    expect(venue.openStops()).toEqual([]);
    expect(await venue.fetchStop('SOL-USDT', resting?.clientOrderId ?? '')).toMatchObject({
      status: 'cancelled',
    });
    expect(svc.service.manager.record(id)).toMatchObject({ verified: false, clientOrderId: null });

    await entryOrder(slot, { intentId: sale.intentId, slice: 0, status: 'rejected', qty: 9 }, chain);
    await waitFor(() => svc.service.manager.record(id)?.verified === true, 'stop back');
    expect(venue.openStops()).toMatchObject([{ qty: 9, stopPrice: stop, status: 'open' }]);
    expect(svc.service.manager.record(id)).toMatchObject({ qty: 9, takeProfit: null, ladder: { taken: 0 } });
    await svc.stop();
  });

  it('a print past a paper stop-limit leaves it triggered and unfilled: it is cancelled and the position closed at market', async () => {
    const venue = paper('paperpastlimit');
    const svc = await start(venue);
    const { id, slot } = longSlot('paperpastlimit', 'SOL-USDT');
    const entry = sol[18_000] as number;
    const stop = roundToStep(entry * 0.95, tick);
    const chain = await approveLong(slot, 'i-past-limit', 5, { entry, stop, takeProfits: [] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-past-limit'), 'intent seen');
    await position({ ...slot, status: 'opened', qty: 5, avgEntry: entry }, chain);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    const [placed] = venue.openStops();
    // 1 % under the stop: past its limit (50 bps under it), so the venue's stop-limit cannot fill.
    const gap = roundToStep(stop * 0.99, tick);
    await trade('paperpastlimit', 'SOL-USDT', gap, 1);
    const triggered = await waitFor(() => eventsFor(id, 'triggered')[0], 'stop triggered');
    expect(triggered.detail).toContain(`triggered but past its limit at ${gap} (0 of 5 filled)`);
    const close = await waitFor(() => submitsOn('paperpastlimit')[0], 'close at market');
    expect(close).toMatchObject({ side: 'sell', type: 'market', qty: 5, reduceOnly: true });
    expect(submitsOn('paperpastlimit')).toHaveLength(1);
    expect(await venue.fetchStop('SOL-USDT', placed?.clientOrderId ?? '')).toMatchObject({
      status: 'cancelled',
      filledQty: 0,
    });
    await svc.stop();
  });

  it('does not trail on trades, only at bar closes: a trade far above leaves the stop where it was', async () => {
    const venue = paper('papertradetrail');
    const svc = await start(venue, { TRAIL_MODE: 'percent', TRAIL_PCT: '0.02' });
    const { id, slot } = longSlot('papertradetrail', 'SOL-USDT');
    const entry = sol[16_000] as number;
    const stop = roundToStep(entry * 0.95, tick);
    const chain = await approveLong(slot, 'i-trade-trail', 5, { entry, stop, takeProfits: [] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-trade-trail'), 'intent seen');
    await position({ ...slot, status: 'opened', qty: 5, avgEntry: entry }, chain);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'stop verified');
    // 10 % up, where a 2 % trail on trades would move the stop to 1.078 × entry; then back to entry,
    // which that stop would have sold at; then under the entry's stop, which sells.
    const [high, back, under] = [entry * 1.1, entry, roundToStep(stop - tick, tick)];
    for (const [n, price] of [high, back, under].entries())
      await trade('papertradetrail', 'SOL-USDT', price, n);
    const triggered = await waitFor(() => eventsFor(id, 'triggered')[0], 'the stop triggered');
    expect(triggered).toMatchObject({ stopPrice: stop });
    expect(triggered.detail).toContain(`at ${under}`);
    await svc.stop();
  });

  it('trails by the ATR of TRAIL_TIMEFRAME candles only: 4h bars of the symbol are not averaged in', async () => {
    /** Where the stop ends after `hourly`, the ATR first fed `before`; null when a price reaches it. */
    const trailed = (hourly: ReplayedCandle[], before: ReplayedCandle[], first: number): number | null => {
      const atr = new Atr(14);
      for (const b of before) atr.push(b);
      let stop = first;
      // What the stop manager does per bar: the ATR reads it, then its low and its close may trail the stop.
      for (const b of hourly) {
        atr.push(b);
        for (const price of [b.low, b.close]) {
          if (price <= stop) return null;
          stop = trailStop('long', stop, price, { mode: 'atr', multiple: 2 }, atr.value, tick);
        }
      }
      return stop;
    };
    // The first day-aligned 40-bar window of real SOLUSDT 1h bars from 2021 whose trail, never reached,
    // ends elsewhere than it would with the 20 4h bars before it averaged into the ATR.
    const allHourly = recordedBars('binance-spot-ohlcv/SOLUSDT-1h.csv.gz');
    const allFourHourly = recordedBars('binance-spot-ohlcv/SOLUSDT-4h.csv');
    let window:
      | { hourly: ReplayedCandle[]; fourHourly: ReplayedCandle[]; first: number; expected: number }
      | undefined;
    for (let i = allHourly.findIndex((b) => b.openTime >= Date.UTC(2021, 0, 1)); !window; i += 24) {
      const hourly = allHourly.slice(i, i + 40);
      const from = (hourly[0] as ReplayedCandle).openTime;
      const fourHourly = allFourHourly.filter((b) => b.openTime < from).slice(-20);
      const first = roundToStep((hourly[0] as ReplayedCandle).open * 0.9, tick);
      const expected = trailed(hourly, [], first);
      const mixed = trailed(hourly, fourHourly, first);
      if (expected !== null && expected > first && mixed !== expected)
        window = { hourly, fourHourly, first, expected };
    }
    const { hourly, fourHourly, first, expected } = window;
    const entry = (hourly[0] as ReplayedCandle).open;

    const { venue, svc, id, slot } = await openLong('paperatr', 'i-atr', 10, entry, first);
    for (const b of fourHourly) await bar(slot, '4h', b);
    for (const b of hourly) await bar(slot, '1h', b);
    await waitFor(() => venue.openStops()[0]?.stopPrice === expected, `venue stop at ${expected}`, {
      timeoutMs: 20_000,
    });
    expect(svc.service.manager.record(id)?.stopPrice).toBe(expected);
    await svc.stop();
  });

  it('trails a position reloaded after a restart at the first bar close, its ATR warmed from stored candles; a redelivered bar changes nothing', async () => {
    /**
     * The stop after each delivered bar, the ATR(14) first fed the stored bars (as the service warms it
     * up); null once a low reaches the stop. `once`: a bar not after the newest taken is neither averaged
     * in nor trailed at (the fix); otherwise every delivery is.
     */
    const trailAfterRestart = (
      stored: ReplayedCandle[],
      delivered: ReplayedCandle[],
      first: number,
      once: boolean,
    ) => {
      const atr = new Atr(14);
      for (const b of stored) atr.push(b);
      let newest = (stored.at(-1) as ReplayedCandle).openTime;
      let stop = first;
      const path: number[] = [];
      for (const b of delivered) {
        if (b.low <= stop) return null;
        if (!once || b.openTime > newest) {
          atr.push(b);
          newest = b.openTime;
          stop = trailStop('long', stop, b.close, { mode: 'atr', multiple: 2 }, atr.value, tick);
        }
        path.push(stop);
      }
      return path;
    };
    // The first day-aligned window of 44 real SOLUSDT 1h bars from 2021 where, with bars 0-41 stored
    // and 42, 41 (again), 42 (again), 43 delivered after the restart, bars 42 and 43 move the stop,
    // nothing reaches it, and the two redelivered bars averaged in and trailed at would end elsewhere.
    const allHourly = recordedBars('binance-spot-ohlcv/SOLUSDT-1h.csv.gz');
    let window:
      | { stored: ReplayedCandle[]; delivered: ReplayedCandle[]; first: number; path: number[] }
      | undefined;
    for (let i = allHourly.findIndex((b) => b.openTime >= Date.UTC(2021, 0, 1)); !window; i += 24) {
      const stored = allHourly.slice(i, i + 42);
      const [b42, b43] = allHourly.slice(i + 42, i + 44) as [ReplayedCandle, ReplayedCandle];
      const delivered = [b42, stored[41] as ReplayedCandle, b42, b43];
      const first = roundToStep((stored[0] as ReplayedCandle).open * 0.9, tick);
      const path = trailAfterRestart(stored, delivered, first, true);
      const twice = trailAfterRestart(stored, delivered, first, false);
      if (path && first < path[0]! && path[2]! < path[3]! && JSON.stringify(twice) !== JSON.stringify(path))
        window = { stored, delivered, first, path };
    }
    const { stored, delivered, first, path } = window;
    const { venue, svc, id, slot } = await openLong(
      'paperwarm',
      'i-warm',
      10,
      (stored[0] as ReplayedCandle).open,
      first,
    );
    const store = (bars: ReplayedCandle[]) => storeHourly(slot, bars);
    // The service saw these bars before its restart; all its ATR knew of them is lost with it.
    await store(stored);
    await svc.stop();

    const restarted = await start(venue);
    await waitFor(() => eventsFor(id, 'verified').length === 2, 'stop verified after the restart');
    const placedBefore = eventsFor(id, 'placed').length;
    // Bar 42 closes; bar 41 (read at warm-up) and bar 42 come again, as JetStream redelivers after a
    // missed ack; bar 43 closes.
    for (const b of delivered) {
      if (b.openTime > (stored[41] as ReplayedCandle).openTime) await store([b]);
      await bar(slot, '1h', b);
    }
    await waitFor(() => venue.openStops()[0]?.stopPrice === path[3], `trailed to ${path[3]} at bar 43`, {
      timeoutMs: 20_000,
    });
    await waitFor(() => eventsFor(id, 'placed').length >= placedBefore + 2, 'both moves reported');
    expect(
      eventsFor(id, 'placed')
        .slice(placedBefore)
        .map((e) => e.stopPrice),
    ).toEqual([path[0], path[3]]);
    expect(restarted.service.manager.record(id)?.stopPrice).toBe(path[3]);
    expect(await restarted.registry.metrics()).toContain(
      'ballast_stops_atr_warmups_total{outcome="warmed"} 1',
    );
    await restarted.stop();
  });

  it('trails a position reloaded after a restart by the ATR of a service that ran through: the warm-up reads 202 stored bars', async () => {
    // The service saw 300 bars before its restart, then one more closes. The 42 newest stored bars the
    // warm-up read gave an ATR that kept 13 % of where it started.
    const { seen, next, first, expected } = trailWindow((seen) => [seen.slice(-42)]);
    const entry = (seen.at(-1) as ReplayedCandle).close;
    const { venue, svc, id, slot } = await openLong('paperconverged', 'i-converged', 10, entry, first);
    // The service saw these bars before its restart, and they are stored.
    await storeHourly(slot, seen);
    await svc.stop();

    const restarted = await start(venue);
    await waitFor(() => eventsFor(id, 'verified').length === 2, 'stop verified after the restart');
    await closeAndTrail(venue, slot, next, expected);
    expect(restarted.service.manager.record(id)?.stopPrice).toBe(expected);
    await restarted.stop();
  });

  it('trails a position opened 20 bars after a start by the ATR of a service that ran through, not of those 20 bars', async () => {
    // 280 bars are stored that the service never saw; it sees the next 20 live (ready after 15, but
    // 64 % of it still the average it started from), then a position opens and one more bar closes.
    const { seen, next, first, expected } = trailWindow((seen) => [seen.slice(-20), seen.slice(-42)]);
    const entry = (seen.at(-1) as ReplayedCandle).close;
    const { venue, svc, id, slot } = await openLong(
      'paperstarted',
      'i-started',
      10,
      entry,
      first,
      [],
      async (series) => {
        await storeHourly(series, seen.slice(0, 280));
        for (const b of seen.slice(280)) {
          await storeHourly(series, [b]);
          await bar(series, '1h', b);
        }
      },
    );
    await closeAndTrail(venue, slot, next, expected);
    expect(svc.service.manager.record(id)?.stopPrice).toBe(expected);
    await svc.stop();
  });

  it('starts when the stored candles cannot be read: the failed warm-up is logged and counted, the stop kept', async () => {
    const entry = sol[12_000] as number;
    const { venue, svc, id } = await openLong('paperwarmfail', 'i-warmfail', 10, entry);
    await svc.stop();
    // A pool already closed: every read of the candles table fails; the records are read as usual.
    const closed = await createDb({ url: testDb.url });
    await closed.db.destroy();
    const warnings: string[] = [];
    const restarted = await start(venue, { COVERAGE_SAMPLE_MS: '0' }, clock, {
      db: closed.db,
      stores: {
        records: new ProtectiveStopRepository(handle.db, clock, StopRecord),
        pending: botStatePendingIntents(new BotStateRepository(handle.db, clock), venue.id),
        holds: keptFlattenHold(),
      },
      log: { ...silent, warn: (_fields, msg) => void warnings.push(msg) },
    });
    await waitFor(() => eventsFor(id, 'verified').length === 2, 'stop verified after the restart');
    expect(await restarted.registry.metrics()).toContain(
      'ballast_stops_atr_warmups_total{outcome="failed"} 1',
    );
    expect(warnings).toContain('trailing ATR not warmed from stored candles; live bars warm it');
    expect(venue.openStops()).toHaveLength(1);
    await restarted.stop();
  });
});

describe('a stop-limit that sold part of the position before the cancel of a move (NATS + PostgreSQL + paper stop venue)', () => {
  it('moves the stop onto what is left, not the whole size the coins of which are partly gone', async () => {
    // SOLUSDT: tick 0.01, step 0.01. The venue reports the cancelled stop as having sold 4 of its 10 first
    // (a stop-limit triggered, part-filled at its limit, the price back above it before the move).
    const venue = paper('paperpart');
    const cancel = venue.cancelStop.bind(venue);
    let soldBeforeCancel = false;
    venue.cancelStop = async (s, c) => {
      const stop = await cancel(s, c);
      return soldBeforeCancel && stop ? { ...stop, status: 'cancelled' as const, filledQty: 4 } : stop;
    };
    const svc = await start(venue);
    const { id, slot } = longSlot('paperpart', 'SOL-USDT');
    const [e1, e2] = [sol[11_000], sol[11_050]] as [number, number];
    const opening = await approveLong(slot, 'i-part', 10, {
      entry: e1,
      stop: roundToStep(e1 * 0.95, 0.01),
      takeProfits: [],
    });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-part'), 'opening intent seen');
    await position({ ...slot, status: 'opened', qty: 10, avgEntry: e1 }, opening);
    await waitFor(() => eventsFor(id, 'verified').length === 1, 'opening stop verified');

    // An add with a tighter stop moves the stop; the cancel of the old one reports the 4 it sold.
    soldBeforeCancel = true;
    const addStop = roundToStep(e2 * 0.98, 0.01);
    await approveLong(slot, 'i-part-add', 3, { entry: e2, stop: addStop, takeProfits: [] });
    await waitFor(() => svc.service.manager.hasIntent(id, 'i-part-add'), 'add intent seen');
    await position(
      { ...slot, status: 'changed', qty: 13, avgEntry: (10 * e1 + 3 * e2) / 13, intentId: 'i-part-add' },
      opening,
    );
    await waitFor(
      () => solStops(venue).length === 1 && solStops(venue)[0]?.stopPrice === addStop,
      'the moved stop',
    );
    expect(solStops(venue)).toMatchObject([{ qty: 9, stopPrice: addStop }]);
    const triggered = await waitFor(() => eventsFor(id, 'triggered')[0], 'the partial sale told');
    expect(triggered.detail).toContain('sold 4 before its cancel: the moved stop covers the 9 left');
    expect(submitsOn('paperpart')).toEqual([]);
    await svc.stop();
  });
});

describe('stops: a kill whose handling fails', () => {
  const ackedKill = (id: string) => acks.filter((a) => a.service === 'stops' && a.commandId === id);

  it('is tried until its flatten hold is stored, past the bus default deliveries, and acknowledged once', {
    timeout: 90_000,
  }, async () => {
    const venue = paper('paperkilldb');
    // The hold's store refuses until brought back: each delivery of the kill tries it once.
    const holds = outageStore(botStateFlattenHold(new BotStateRepository(handle.db, clock), venue.id));
    const svc = await start(venue, {}, clock, {
      stores: {
        records: new ProtectiveStopRepository(handle.db, clock, StopRecord),
        pending: botStatePendingIntents(new BotStateRepository(handle.db, clock), venue.id),
        holds,
      },
    });
    try {
      const kill = await bus.publish(subject(Subjects.kill, {}), {
        flatten: true,
        reason: 'test',
        requestedBy: 'test',
      });
      const refused = DEFAULT_MAX_DELIVER + 1;
      await waitFor(() => holds.refused >= refused, `${refused} refused saves of the flatten hold`, {
        timeoutMs: 60_000,
      });
      holds.down = false;
      await waitFor(() => ackedKill(kill.id).length > 0, 'the kill acknowledged', { timeoutMs: 20_000 });
      expect(holds.saved).toBe(1);
      expect(ackedKill(kill.id)).toMatchObject([{ command: 'kill', engaged: true }]);
    } finally {
      holds.down = false;
      await svc.stop();
    }
  });

  it('acknowledges a redelivered kill under the same id: one ack, not one per delivery', async () => {
    const svc = await start(paper('paperkillack'));
    const ackSubject = subject(Subjects.controlAck, {}).value;
    const original = NatsBus.prototype.publish;
    let published = 0;
    // The first ack goes out but its confirmation is lost (a publish timeout): the kill is redelivered.
    const spy = vi.spyOn(NatsBus.prototype, 'publish').mockImplementation(async function (
      this: NatsBus,
      ...args: Parameters<NatsBus['publish']>
    ) {
      const sent = await original.apply(this, args);
      if (this !== bus && args[0].value === ackSubject && ++published === 1)
        throw new Error('publish timeout: no confirmation');
      return sent as never;
    });
    try {
      const kill = await bus.publish(subject(Subjects.kill, {}), {
        flatten: false,
        reason: 'test',
        requestedBy: 'test',
      });
      await waitFor(() => published >= 2, 'the redelivered kill acknowledged again');
      spy.mockRestore();
      // Acks arrive in order: once this one is in, a second ack of the kill would be too.
      const marker = await bus.publish(subject(Subjects.controlAck, {}), {
        service: 'test',
        command: 'kill',
        commandId: `after-${kill.id}`,
        engaged: true,
        detail: 'marker',
      });
      await waitFor(() => acks.some((a) => a.commandId === marker.payload.commandId), 'the marker');
      expect(ackedKill(kill.id)).toHaveLength(1);
    } finally {
      spy.mockRestore();
      await svc.stop();
    }
  });
});
