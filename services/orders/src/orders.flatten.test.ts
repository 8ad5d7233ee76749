import {
  type Alert,
  type Clock,
  type ControlAck,
  type OrderEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { CcxtVenue, VenueError, type VenueOrderRequest } from '@ballast/exchange';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { startBinanceSim, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simClient } from './testing/sim-client';
import { startOrdersService, startSimOrders } from './testing/sim-orders';

// The simulator's book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json,
// its filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const account = { apiKey: 'flatten-key', secret: 'flatten-secret' };
const clock: Clock = { now: () => Date.now() };

/** A simulator account, its own bus and database, and the acks and order events seen on that bus. */
type Venue = { fixture: VenueFixture; acks: ControlAck[]; events: OrderEvent[] };

async function startVenue(label: string, btc: string): Promise<Venue> {
  const fixture = await startVenueFixture({
    label,
    account: { ...account, balances: { USDT: '10000', BTC: btc } },
  });
  const acks: ControlAck[] = [];
  const events: OrderEvent[] = [];
  await fixture.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
    durable: 'test-acks',
  });
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-events',
  });
  return { fixture, acks, events };
}

const simBtc = async (sim: ExchangeSim) =>
  (
    (await simClient(sim, account.apiKey, account.secret).fetchBalance()) as unknown as {
      total: Record<string, number>;
    }
  ).total.BTC ?? 0;

const venueBtc = ({ fixture }: Venue) => simBtc(fixture.sim);

async function buy({ fixture, events }: Venue, intentId: string, qty: number): Promise<void> {
  await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand(intentId, 'buy', qty));
  await waitFor(
    () => events.find((e) => e.intentId === intentId && e.status === 'filled'),
    `${intentId} to fill`,
  );
}

const ackOf = ({ acks }: Venue, commandId: string, what: string) =>
  waitFor(() => acks.find((a) => a.commandId === commandId && a.service === 'orders'), what, {
    timeoutMs: 20_000,
  });

async function killAndFlatten(venue: Venue, reason: string): Promise<ControlAck> {
  const kill = await venue.fixture.bus.publish(subject(Subjects.kill, {}), {
    flatten: true,
    reason,
    requestedBy: 'test',
  });
  return ackOf(venue, kill.id, 'the kill ack');
}

async function resume(venue: Venue): Promise<void> {
  const sent = await venue.fixture.bus.publish(subject(Subjects.resume, {}), {
    confirm: true,
    reason: 'again',
    requestedBy: 'test',
  });
  await ackOf(venue, sent.id, 'the resume ack');
}

/** Resumes after a kill, buys 0.01 through the service, then trades on the account behind its back. */
async function reopenWithOutsideTrade(venue: Venue, intentId: string, side: 'buy' | 'sell', qty: number) {
  await resume(venue);
  await buy(venue, intentId, 0.01);
  await simClient(venue.fixture.sim, account.apiKey, account.secret).createOrder(
    'BTC/USDT',
    'market',
    side,
    qty,
  );
}

const flattenSlices = async ({ fixture }: Venue) =>
  (await new OrderSliceRepository(fixture.handle.db, clock).all()).filter((s) =>
    s.intentId.startsWith('flatten:'),
  );

describe('kill --flatten in the orders service', () => {
  let venue: Venue;
  beforeAll(async () => {
    venue = await startVenue('orders_flatten', '0');
  });
  afterAll(() => venue?.fixture.close());

  it('closes with a reduce-only market sell and confirms flat, or not, from the venue balances', {
    timeout: 60_000,
  }, async () => {
    const stop = await startSimOrders(venue.fixture, account, { TICK_MS: '20' });
    await buy(venue, 'open-1', 0.01);
    expect(await venueBtc(venue)).toBe(0.01);

    const flat = await killAndFlatten(venue, 'flatten test');
    expect(flat).toMatchObject({
      service: 'orders',
      exchange: 'binance',
      command: 'kill',
      engaged: true,
      flat: true,
    });
    expect(flat.detail).toBe(
      'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT flat (venue BTC 0)',
    );
    expect(await venueBtc(venue)).toBe(0);
    expect((await flattenSlices(venue))[0]).toMatchObject({
      side: 'sell',
      type: 'market',
      reduceOnly: true,
      qty: 0.01,
      status: 'filled',
    });

    // 0.005 bought on the same account behind the service's back: the local fold knows only 0.01.
    await reopenWithOutsideTrade(venue, 'open-2', 'buy', 0.005);
    const notFlat = await killAndFlatten(venue, 'flatten with an outside holding');
    expect(notFlat.detail).toBe(
      'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT NOT flat: the venue still holds 0.005 (0.005 tradable) BTC',
    );
    // Said once more for machines: `ballast kill --flatten` exits non-zero on it.
    expect(notFlat.flat).toBe(false);
    expect(await venueBtc(venue)).toBe(0.005);
    await stop();
  });
});

describe('kill --flatten with coins held long-term (RECON_BASE_HOLDINGS, as reconciliation reads it)', () => {
  let venue: Venue;
  beforeAll(async () => {
    venue = await startVenue('orders_flatten_held', '0.5');
  });
  afterAll(() => venue?.fixture.close());

  it('reports flat without the holdings and never sells them', { timeout: 60_000 }, async () => {
    const stop = await startSimOrders(venue.fixture, account, {
      TICK_MS: '20',
      RECON_BASE_HOLDINGS: '{"BTC":0.5}',
    });
    await buy(venue, 'held-open-1', 0.01);
    expect(await venueBtc(venue)).toBe(0.51);
    const flat = await killAndFlatten(venue, 'flatten with holdings');
    expect(flat.detail).toBe(
      'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT flat (venue BTC 0 beyond the 0.5 held apart)',
    );
    expect(await venueBtc(venue)).toBe(0.5);

    // 0.004 sold behind the service's back: its fold says 0.01, only 0.006 of the 0.506 is the position.
    await reopenWithOutsideTrade(venue, 'held-open-2', 'sell', 0.004);
    const again = await killAndFlatten(venue, 'flatten what is left');
    expect(again.detail).toBe(flat.detail);
    expect((await flattenSlices(venue)).map((s) => s.qty)).toEqual([0.01, 0.006]);
    expect(await venueBtc(venue)).toBe(0.5);
    await stop();
  });
});

describe('kill --flatten with coins on the venue our books hold no position in (RECON_SYMBOLS)', () => {
  let venue: Venue;
  beforeAll(async () => {
    // 0.02 beyond the 0.5 held apart: e.g. an order that landed after it was given up, or a fill
    // reconciliation has not booked yet.
    venue = await startVenue('orders_flatten_unbooked', '0.52');
  });
  afterAll(() => venue?.fixture.close());

  it('reports NOT flat, and sells none of them', { timeout: 60_000 }, async () => {
    const stop = await startSimOrders(venue.fixture, account, {
      TICK_MS: '20',
      RECON_BASE_HOLDINGS: '{"BTC":0.5}',
      RECON_SYMBOLS: 'BTC-USDT',
    });
    const ack = await killAndFlatten(venue, 'flatten with unbooked coins');
    expect(ack.detail).toBe(
      'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT NOT flat: the venue still holds 0.02 (0.02 tradable) BTC beyond the 0.5 held apart, in no position of ours',
    );
    expect(ack.flat).toBe(false);
    expect(await flattenSlices(venue)).toEqual([]);
    expect(await venueBtc(venue)).toBe(0.52);
    await stop();
  });
});

/**
 * The simulator's account through CcxtVenue, with a market maximum the test sets once the position is
 * open. The simulator checks no MARKET_LOT_SIZE, so a market order above the maximum is refused here,
 * as Binance refuses it. `cutAfterFirstSell`: the venue's rules cannot be read from the first sale's
 * answer on until orders are next listed (the kill's cancel of open orders, when it comes again), so a
 * flatten is cut short after its first chunk and its kill, failed, delivered again.
 */
function cappedVenue(fixture: VenueFixture) {
  const venue = new CcxtVenue({
    venue: 'binance',
    exchangeId: 'binance',
    baseUrl: fixture.sim.restUrl,
    credentials: account,
  });
  const state = {
    marketMaxQty: undefined as number | undefined,
    cutAfterFirstSell: false,
    rulesDown: false,
    rulesFailed: 0,
    sells: [] as VenueOrderRequest[],
  };
  const rules = venue.marketRules.bind(venue);
  venue.marketRules = async (symbol: string) => {
    if (state.rulesDown) {
      state.rulesFailed++;
      throw new VenueError('network', 'binance exchangeInfo request timed out (test)');
    }
    const read = await rules(symbol);
    return state.marketMaxQty === undefined ? read : { ...read, marketMaxQty: state.marketMaxQty };
  };
  const submit = venue.submit.bind(venue);
  venue.submit = async (order: VenueOrderRequest) => {
    if (order.type === 'market' && state.marketMaxQty !== undefined && order.qty > state.marketMaxQty)
      throw new VenueError('invalid_order', 'binance {"code":-1013,"msg":"Filter failure: MARKET_LOT_SIZE"}');
    const placed = await submit(order);
    if (order.side === 'sell') state.sells.push(order);
    if (state.cutAfterFirstSell && state.sells.length === 1) state.rulesDown = true;
    return placed;
  };
  const open = venue.openOrders.bind(venue);
  venue.openOrders = (symbol?: string) => {
    state.rulesDown = false;
    return open(symbol);
  };
  return { venue, state };
}

/**
 * The orders service on a capped venue, a 0.01 BTC position bought through it, then the venue's market
 * maximum lowered to 0.004: a close of the position in one order is refused.
 */
async function openAboveTheMaximum(venue: Venue, intentId: string) {
  const capped = cappedVenue(venue.fixture);
  const stop = await startSimOrders(venue.fixture, account, { TICK_MS: '20' }, undefined, {
    venue: capped.venue,
  });
  try {
    await buy(venue, intentId, 0.01);
  } catch (err) {
    await stop();
    throw err;
  }
  capped.state.marketMaxQty = 0.004;
  return { capped, stop };
}

describe("kill --flatten of a position above the venue's market maximum (MARKET_LOT_SIZE)", () => {
  let venue: Venue;
  beforeAll(async () => {
    venue = await startVenue('orders_flatten_chunks', '0');
  });
  afterAll(() => venue?.fixture.close());

  it('sells it in chunks within the maximum, ends flat, and sends none twice when the kill comes again', {
    timeout: 60_000,
  }, async () => {
    const { capped, stop } = await openAboveTheMaximum(venue, 'chunks-open');
    try {
      capped.state.cutAfterFirstSell = true;

      // The first delivery sells one chunk and fails; the kill delivered again sends the rest.
      const ack = await killAndFlatten(venue, 'flatten above the market maximum');
      expect(ack.detail).toBe(
        'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT flat (venue BTC 0)',
      );
      expect(ack).toMatchObject({ command: 'kill', engaged: true, flat: true });
      expect(capped.state.rulesFailed).toBeGreaterThan(0);
      expect(await venueBtc(venue)).toBe(0);

      const chunks = await flattenSlices(venue);
      expect(chunks.map((s) => [s.slice, s.qty, s.status])).toEqual([
        [0, 0.00334, 'filled'],
        [1, 0.00333, 'filled'],
        [2, 0.00333, 'filled'],
      ]);
      expect(new Set(chunks.map((s) => s.intentId))).toEqual(
        new Set([`flatten:binance:${ack.commandId}:BTC-USDT`]),
      );
      for (const chunk of chunks)
        expect(chunk).toMatchObject({ side: 'sell', type: 'market', reduceOnly: true });
      // Each chunk went to the venue once, under its own client id.
      expect(capped.state.sells.map((o) => o.clientOrderId)).toEqual(chunks.map((s) => s.clientOrderId));
    } finally {
      await stop();
    }
  });
});

describe("a reduce-only market close above the venue's market maximum (a stop's or a strategy's exit)", () => {
  let venue: Venue;
  beforeAll(async () => {
    venue = await startVenue('orders_close_chunks', '0');
  });
  afterAll(() => venue?.fixture.close());

  it("goes in chunks within the maximum, the first under the command's client id, and once only", {
    timeout: 60_000,
  }, async () => {
    const alerts: Alert[] = [];
    await venue.fixture.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
      durable: 'test-alerts',
    });
    const { capped, stop } = await openAboveTheMaximum(venue, 'close-chunks-open');
    try {
      // As the stops service sends a close: direct, reduce-only, under its own client id.
      const close = marketCommand('close-chunks-close', 'sell', 0.01, { reduceOnly: true });
      await venue.fixture.bus.publish(subject(Subjects.orderCommand, {}), close);
      await waitFor(async () => (await venueBtc(venue)) === 0, 'the position sold');
      const slices = async () =>
        (await new OrderSliceRepository(venue.fixture.handle.db, clock).all()).filter(
          (s) => s.intentId === 'close-chunks-close',
        );
      await waitFor(
        async () => (await slices()).every((s) => s.status === 'filled'),
        'every chunk recorded filled',
      );
      expect((await slices()).map((s) => [s.slice, s.qty, s.reduceOnly, s.status])).toEqual([
        [0, 0.00334, true, 'filled'],
        [1, 0.00333, true, 'filled'],
        [2, 0.00333, true, 'filled'],
      ]);
      expect((await slices())[0]?.clientOrderId).toBe('bl-close-chunks-close');

      // The same close delivered again, then a marker: commands are handled in order.
      await venue.fixture.bus.publish(subject(Subjects.orderCommand, {}), close);
      await buy(venue, 'close-chunks-marker', 0.002);
      expect(capped.state.sells.map((o) => o.clientOrderId)).toEqual(
        (await slices()).map((s) => s.clientOrderId),
      );
      expect(alerts.filter((a) => a.kind === 'client_order_id_reused')).toEqual([]);
    } finally {
      await stop();
    }
  });
});

// README (Scaling): one orders service per trading account, on one bus and one database. A Bybit
// account here is a second simulator account (Binance's wire format) that its orders service calls
// `bybit`: both hold BTC-USDT, and one kill flattens both.
describe('kill --flatten of the same market on two trading accounts', () => {
  let venue: Venue;
  let bybitSim: ExchangeSim;
  beforeAll(async () => {
    venue = await startVenue('orders_flatten_two_venues', '0');
    bybitSim = await startBinanceSim({ ...account, balances: { USDT: '10000', BTC: '0' } });
  });
  afterAll(async () => {
    await bybitSim?.close();
    await venue?.fixture.close();
  });

  it("each account's orders service sells its own position under its own intent, and both report flat", {
    timeout: 60_000,
  }, async () => {
    const stopBinance = await startSimOrders(venue.fixture, account, { TICK_MS: '20' });
    const bybitVenue = new CcxtVenue({
      venue: 'bybit',
      exchangeId: 'binance',
      baseUrl: bybitSim.restUrl,
      credentials: account,
    });
    const bybit = await startOrdersService(
      venue.fixture,
      { ORDERS_VENUE_KIND: 'ccxt', ORDERS_VENUE: 'bybit', TICK_MS: '20' },
      undefined,
      { venue: bybitVenue },
    );
    try {
      await buy(venue, 'two-open-binance', 0.01);
      await venue.fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('two-open-bybit', 'buy', 0.01, { exchange: 'bybit' }),
      );
      await waitFor(
        () => venue.events.find((e) => e.intentId === 'two-open-bybit' && e.status === 'filled'),
        'the bybit buy to fill',
      );
      expect([await venueBtc(venue), await simBtc(bybitSim)]).toEqual([0.01, 0.01]);

      const kill = await venue.fixture.bus.publish(subject(Subjects.kill, {}), {
        flatten: true,
        reason: 'flatten two accounts',
        requestedBy: 'test',
      });
      const acks = await waitFor(
        () => {
          const of = venue.acks.filter((a) => a.commandId === kill.id && a.service === 'orders');
          return of.length === 2 ? of : undefined;
        },
        'both accounts to acknowledge the kill',
        { timeoutMs: 20_000 },
      );
      expect(acks.map((a) => [a.exchange, a.flat, a.detail]).sort()).toEqual(
        ['binance', 'bybit'].map((exchange) => [
          exchange,
          true,
          'aborted 0 planned slices, cancelled 0 open orders; flatten: BTC-USDT flat (venue BTC 0)',
        ]),
      );
      expect([await venueBtc(venue), await simBtc(bybitSim)]).toEqual([0, 0]);
      const closes = (await flattenSlices(venue)).map((s) => [s.exchange, s.intentId, s.qty, s.status]);
      expect(closes.sort()).toEqual([
        ['binance', `flatten:binance:${kill.id}:BTC-USDT`, 0.01, 'filled'],
        ['bybit', `flatten:bybit:${kill.id}:BTC-USDT`, 0.01, 'filled'],
      ]);
    } finally {
      await bybit.stop();
      await stopBinance();
    }
  });
});
