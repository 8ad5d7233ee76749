import type { WalkableBook } from '@ballast/core';
import { recordedDepthSnapshot } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { VenueError, type VenueOrder, type VenueOrderRequest } from './order-venue';
import {
  type MarketPrint,
  type PaperStore,
  PaperVenue,
  type PaperVenueDeps,
  type StoredPaperOrder,
} from './paper-venue';

const rules = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 5 };

/** The account in memory, as a restart would read it back. */
function memoryStore(): PaperStore & {
  stored: { balances: Record<string, number>; orders: StoredPaperOrder[] };
} {
  const stored = { balances: {} as Record<string, number>, orders: [] as StoredPaperOrder[] };
  return {
    stored,
    loadBalances: async () => ({ ...stored.balances }),
    saveBalances: async (_venue, balances) => {
      stored.balances = { ...balances };
    },
    loadOrders: async () => [...stored.orders],
    saveOrder: async (_venue, order, balances) => {
      if (balances) stored.balances = { ...balances };
      const i = stored.orders.findIndex((o) => o.venueOrderId === order.venueOrderId);
      stored.orders = i < 0 ? [...stored.orders, order] : stored.orders.map((o, j) => (j === i ? order : o));
    },
  };
}

/** A market trade on BTC-USDT, under a trade id of its own unless given one. */
let prints = 0;
const print = (price: number, size: number, tradeId = `print-${++prints}`): MarketPrint => ({
  symbol: 'BTC-USDT',
  tradeId,
  price,
  size,
});

// Venue order ids are unique across restarts, as the service's are (UUIDv7).
let n = 0;
function open(overrides: Partial<PaperVenueDeps> = {}): Promise<PaperVenue> {
  return PaperVenue.open({
    venue: 'binance',
    book: () => undefined,
    rules: () => rules,
    fees: { maker: 0.001, taker: 0.001, feesIn: 'quote' },
    store: memoryStore(),
    clock: { now: () => 1_700_000_000_000 },
    ids: () => `v${++n}`,
    initialBalances: { USDT: 10_000 },
    ...overrides,
  });
}

const marketBuy: VenueOrderRequest = {
  clientOrderId: 'bl-1',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  qty: 0.01,
  price: null,
  reduceOnly: false,
};

describe('PaperVenue without a trusted book', () => {
  it('refuses an order, naming why, and leaves the account as it was', async () => {
    const paper = await open();
    const refused = await paper.submit(marketBuy).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(VenueError);
    expect(refused).toMatchObject({
      reason: 'network',
      message: 'no trusted order book for BTC-USDT (none in sequence since a snapshot)',
    });
    expect(await paper.balances()).toEqual({ USDT: 10_000 });
    expect(await paper.fetchByClientId('BTC-USDT', 'bl-1')).toBeUndefined();
  });

  it('reads the REST depth instead when it has one, with the levels asked for', async () => {
    const reads: Array<[string, number | undefined]> = [];
    const rest: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 5]] };
    const paper = await open({
      restBook: async (symbol, limit) => {
        reads.push([symbol, limit]);
        return rest;
      },
    });
    expect(await paper.orderBook('BTC-USDT', 100)).toEqual(rest);
    // 0.01 @ 60000 = 600, taker fee 0.6.
    const filled = await paper.submit(marketBuy);
    expect(filled).toMatchObject({ status: 'filled', filledQty: 0.01, avgPrice: 60000 });
    expect(await paper.balances()).toEqual({ USDT: 9399.4, BTC: 0.01 });
    expect(reads).toEqual([
      ['BTC-USDT', 100],
      ['BTC-USDT', undefined],
    ]);
  });

  it('fills against the streamed book when it has one, without reading REST', async () => {
    const reads: string[] = [];
    const paper = await open({
      book: () => ({ bids: [[59990, 5]], asks: [[60010, 5]] }),
      restBook: async (symbol) => {
        reads.push(symbol);
        return { bids: [], asks: [] };
      },
    });
    expect(await paper.submit(marketBuy)).toMatchObject({ status: 'filled', avgPrice: 60010 });
    expect(reads).toEqual([]);
  });

  it('takes a price on a market order as no cap, as the live venue does: it fills at the ask', async () => {
    const paper = await open({ book: () => ({ bids: [[59990, 5]], asks: [[60010, 5]] }) });
    expect(await paper.submit({ ...marketBuy, price: 50000 })).toMatchObject({
      status: 'filled',
      filledQty: 0.01,
      avgPrice: 60010,
      price: null,
    });
  });
});

describe('PaperVenue with fees taken from what is received (Binance spot without BNB)', () => {
  const book: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 5]] };
  const received = { maker: 0.001, taker: 0.001, feesIn: 'received' as const };

  it('a market buy of 0.001 BTC at 60000 leaves 0.000999 BTC, pays 60 USDT, and its fill names BTC', async () => {
    const paper = await open({ book: () => book, fees: received, initialBalances: { USDT: 1000 } });
    const filled = await paper.submit({ ...marketBuy, qty: 0.001 });
    expect(filled).toMatchObject({ status: 'filled', filledQty: 0.001 });
    expect(filled.fills).toEqual([expect.objectContaining({ qty: 0.001, fee: 0.000001, feeAsset: 'BTC' })]);
    expect(await paper.balances()).toEqual({ USDT: 940, BTC: 0.000999 });
    // An exit sized to the ordered quantity is refused, as live; the held quantity, on the step, leaves dust.
    const exit = { ...marketBuy, clientOrderId: 'bl-2', side: 'sell' as const, qty: 0.001 };
    await expect(paper.submit(exit)).rejects.toMatchObject({ reason: 'insufficient_funds' });
    const sold = await paper.submit({ ...exit, clientOrderId: 'bl-3', qty: 0.00099 });
    // The sale pays in the quote it receives: 0.00099 × 59990 = 59.3901, less 0.0593901.
    expect(sold.fills).toEqual([expect.objectContaining({ fee: 0.0593901, feeAsset: 'USDT' })]);
    expect(await paper.balances()).toEqual({ USDT: 999.3307099, BTC: 0.000009 });
  });

  it('a resting buy locks its notional alone, so the whole free quote can rest', async () => {
    const paper = await open({ book: () => book, fees: received, initialBalances: { USDT: 590 } });
    const limit = { ...marketBuy, type: 'limit' as const, qty: 0.01, price: 59000 };
    expect(await paper.submit(limit)).toMatchObject({ status: 'accepted' });
    expect(await paper.onTrade(print(58999, 1))).toEqual([
      expect.objectContaining({ status: 'filled', filledQty: 0.01 }),
    ]);
    expect(await paper.balances()).toEqual({ USDT: 0, BTC: 0.00999 });
  });
});

describe('PaperVenue client order ids and trade paging', () => {
  const book: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 5]] };
  const limitBuy = { ...marketBuy, clientOrderId: 'bl-a', type: 'limit' as const, qty: 0.01, price: 59000 };

  it('a market order re-sent under the client id of a filled order is accepted and fills again, as on Binance', async () => {
    const store = memoryStore();
    const paper = await open({ book: () => book, store });
    const first = await paper.submit(marketBuy);
    const again = await paper.submit(marketBuy);
    expect(again).toMatchObject({ status: 'filled', filledQty: 0.01 });
    expect(again.venueOrderId).not.toBe(first.venueOrderId);
    // Two real fills: a double-send costs a double position, as it would live.
    expect(await paper.balances()).toEqual({ USDT: 8798.8, BTC: 0.02 });
    // The id names the latest order, also after a restart; the first is still stored.
    expect(await paper.fetchByClientId('BTC-USDT', 'bl-1')).toEqual(again);
    expect(store.stored.orders.map((o) => o.venueOrderId)).toEqual([first.venueOrderId, again.venueOrderId]);
    const restarted = await open({ book: () => book, store });
    expect(await restarted.fetchByClientId('BTC-USDT', 'bl-1')).toEqual(again);
  });

  it('refuses a client id while the order that has it is open, and takes it again once it is cancelled', async () => {
    const paper = await open({ book: () => book });
    await paper.submit(limitBuy);
    await expect(paper.submit(limitBuy)).rejects.toMatchObject({
      reason: 'invalid_order',
      message: 'duplicate client order id bl-a',
    });
    await paper.cancel('BTC-USDT', 'bl-a');
    expect(await paper.submit(limitBuy)).toMatchObject({ status: 'accepted' });
  });

  it('a fill of an older order at the same time as an already-read fill is returned by the next page', async () => {
    const paper = await open({ book: () => book });
    const resting = await paper.submit(limitBuy);
    const taken = await paper.submit({ ...marketBuy, clientOrderId: 'bl-b' });
    const first = await paper.tradesSince('BTC-USDT', null);
    expect(first.trades.map((t) => t.venueOrderId)).toEqual([taken.venueOrderId]);
    // Same clock time: the resting order (placed first) fills after the page was read.
    await paper.onTrade(print(58999, 1));
    const second = await paper.tradesSince('BTC-USDT', first.cursor);
    expect(second.trades.map((t) => t.venueOrderId)).toEqual([resting.venueOrderId]);
    expect((await paper.tradesSince('BTC-USDT', second.cursor)).trades).toEqual([]);
  });
});

describe('PaperVenue resting limits meet prints of a size', () => {
  const book: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 5]] };
  const limitBuy = { ...marketBuy, clientOrderId: 'bl-a', type: 'limit' as const, qty: 1, price: 59000 };

  it('two prints of 0.6 and 0.5 fill a limit of 1 as 0.6, then 0.4', async () => {
    const paper = await open({ book: () => book, initialBalances: { USDT: 100_000 } });
    await paper.submit(limitBuy);
    expect(await paper.onTrade(print(58999, 0.6))).toEqual([
      expect.objectContaining({ status: 'partially_filled', filledQty: 0.6 }),
    ]);
    expect(await paper.openOrders('BTC-USDT')).toHaveLength(1);
    expect(await paper.onTrade(print(58999, 0.5))).toEqual([
      expect.objectContaining({ status: 'filled', filledQty: 1 }),
    ]);
    expect((await paper.fetchByClientId('BTC-USDT', 'bl-a'))?.fills.map((f) => f.qty)).toEqual([0.6, 0.4]);
    // 1 @ 59000 + 0.1 % maker fee in USDT.
    expect(await paper.balances()).toEqual({ USDT: 40_941, BTC: 1 });
  });

  it('one print is shared by the resting orders it goes through, the first placed first', async () => {
    const paper = await open({ book: () => book, initialBalances: { USDT: 200_000 } });
    await paper.submit(limitBuy);
    await paper.submit({ ...limitBuy, clientOrderId: 'bl-b' });
    expect(await paper.onTrade(print(58999, 1.5))).toEqual([
      expect.objectContaining({ clientOrderId: 'bl-a', status: 'filled', filledQty: 1 }),
      expect.objectContaining({ clientOrderId: 'bl-b', status: 'partially_filled', filledQty: 0.5 }),
    ]);
  });

  it('a print delivered again fills no order again, across a restart', async () => {
    const store = memoryStore();
    const paper = await open({ book: () => book, store, initialBalances: { USDT: 100_000 } });
    await paper.submit(limitBuy);
    const twice = print(58999, 0.4);
    expect(await paper.onTrade(twice)).toEqual([expect.objectContaining({ filledQty: 0.4 })]);
    expect(await paper.onTrade(twice)).toEqual([]);
    const restarted = await open({ book: () => book, store });
    expect(await restarted.onTrade(twice)).toEqual([]);
    expect((await restarted.fetchByClientId('BTC-USDT', 'bl-a'))?.filledQty).toBe(0.4);
    // 0.4 @ 59000 + 0.1 % maker fee in USDT, once.
    expect(await restarted.balances()).toEqual({ USDT: 76_376.4, BTC: 0.4 });
    // A new print still fills the rest.
    expect(await restarted.onTrade(print(58999, 1))).toEqual([expect.objectContaining({ filledQty: 1 })]);
  });

  it('a print from before the order was placed (a backlog replayed after a restart) does not fill it', async () => {
    const store = memoryStore();
    const placedAt = 1_700_000_000_000;
    const paper = await open({ book: () => book, store, initialBalances: { USDT: 100_000 } });
    await paper.submit(limitBuy);
    const hourOld = { ...print(58000, 1), time: placedAt - 3_600_000 };
    expect(await paper.onTrade(hourOld)).toEqual([]);
    // Its placing time is stored: a restarted account judges the same.
    const restarted = await open({ book: () => book, store, clock: { now: () => placedAt + 60_000 } });
    expect(await restarted.onTrade({ ...print(58000, 1), time: placedAt - 5_000 })).toEqual([]);
    expect(await restarted.openOrders('BTC-USDT')).toEqual([expect.objectContaining({ status: 'accepted' })]);
    // Within the clocks' skew, and after, a print fills it.
    expect(await restarted.onTrade({ ...print(58999, 0.4), time: placedAt - 500 })).toEqual([
      expect.objectContaining({ filledQty: 0.4 }),
    ]);
    expect(await restarted.onTrade({ ...print(58999, 1), time: placedAt + 1_000 })).toEqual([
      expect.objectContaining({ status: 'filled', filledQty: 1 }),
    ]);
  });

  it('takes the clock skew it is given (ORDERS_CLOCK_SKEW_MS): a print 3 s before the order fills it with 5 s', async () => {
    const placedAt = 1_700_000_000_000;
    const paper = await open({ book: () => book, printSkewMs: 5_000, initialBalances: { USDT: 100_000 } });
    await paper.submit(limitBuy);
    expect(await paper.onTrade({ ...print(58999, 1), time: placedAt - 3_000 })).toEqual([
      expect.objectContaining({ status: 'filled', filledQty: 1 }),
    ]);
  });

  it('a print delivered again after its handling failed part-way gives only what it had left', async () => {
    const store = memoryStore();
    const failing: PaperStore = {
      ...store,
      saveOrder: async (venue, order, balances) => {
        if (order.clientOrderId === 'bl-b' && order.fills.length > 0 && !failed) {
          failed = true;
          throw new Error('connection reset');
        }
        await store.saveOrder(venue, order, balances);
      },
    };
    let failed = false;
    const paper = await open({ book: () => book, store: failing, initialBalances: { USDT: 200_000 } });
    await paper.submit(limitBuy);
    await paper.submit({ ...limitBuy, clientOrderId: 'bl-b' });
    const once = print(58999, 1.5);
    await expect(paper.onTrade(once)).rejects.toMatchObject({ reason: 'network' });
    expect(await paper.onTrade(once)).toEqual([
      expect.objectContaining({ clientOrderId: 'bl-b', status: 'partially_filled', filledQty: 0.5 }),
    ]);
    expect((await paper.fetchByClientId('BTC-USDT', 'bl-a'))?.filledQty).toBe(1);
  });
});

describe('PaperVenue resting limits', () => {
  const book: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 5]] };
  const limit = (clientOrderId: string, side: 'buy' | 'sell', qty: number, price: number) => ({
    clientOrderId,
    symbol: 'BTC-USDT',
    side,
    type: 'limit' as const,
    qty,
    price,
    reduceOnly: false,
  });
  const market = (clientOrderId: string, side: 'buy' | 'sell', qty: number) => ({
    ...marketBuy,
    clientOrderId,
    side,
    qty,
  });
  const refusal = (paper: PaperVenue, request: VenueOrderRequest) =>
    paper.submit(request).then(
      () => undefined,
      (e: unknown) => e,
    );

  it('lock what they will take, refuse what the free balance cannot cover, and release it on cancel', async () => {
    const store = memoryStore();
    const paper = await open({ book: () => book, store, initialBalances: { USDT: 1000 } });
    // 0.01 @ 59000 = 590, maker fee 0.59: 590.59 USDT locked, 409.41 free.
    expect(await paper.submit(limit('bl-a', 'buy', 0.01, 59000))).toMatchObject({ status: 'accepted' });
    expect(await paper.balances()).toEqual({ USDT: 1000 });
    // 0.01 @ 58000 = 580 + 0.58 = 580.58 > 409.41: refused, as Binance refuses what it cannot lock.
    expect(await refusal(paper, limit('bl-b', 'buy', 0.01, 58000))).toMatchObject({
      reason: 'insufficient_funds',
      message: 'bl-b: resting 0.01 @ 58000 needs 580.58 USDT, has 409.41 free',
    });
    expect(await paper.fetchByClientId('BTC-USDT', 'bl-b')).toBeUndefined();
    // A market buy spends only the free balance: 0.007 @ 60000 = 420 + 0.42 = 420.42 > 409.41.
    expect(await refusal(paper, market('bl-c', 'buy', 0.007))).toMatchObject({
      reason: 'insufficient_funds',
    });
    // The lock holds across a restart: it is read from the open orders.
    const restarted = await open({ book: () => book, store });
    expect(await refusal(restarted, market('bl-c', 'buy', 0.007))).toMatchObject({
      reason: 'insufficient_funds',
    });
    expect(await restarted.balances()).toEqual({ USDT: 1000 });

    // Cancelled, the 590.59 are free again: the refused order now rests (580.58 locked, 419.42 free).
    expect(await restarted.cancel('BTC-USDT', 'bl-a')).toMatchObject({ status: 'cancelled' });
    expect(await restarted.submit(limit('bl-b', 'buy', 0.01, 58000))).toMatchObject({ status: 'accepted' });
    // A trade through 58000 fills it as maker from its own lock: USDT 1000 − 580.58 = 419.42.
    expect(await restarted.onTrade(print(57999.99, 1))).toEqual([
      expect.objectContaining({ clientOrderId: 'bl-b', status: 'filled', filledQty: 0.01 }),
    ]);
    expect(await restarted.balances()).toEqual({ USDT: 419.42, BTC: 0.01 });
    expect(store.stored.balances).toEqual({ USDT: 419.42, BTC: 0.01 });

    // A resting sell locks its coins: a market sell of them is refused until it is cancelled.
    expect(await restarted.submit(limit('bl-d', 'sell', 0.01, 61000))).toMatchObject({ status: 'accepted' });
    expect(await refusal(restarted, market('bl-e', 'sell', 0.005))).toMatchObject({
      reason: 'insufficient_funds',
      message: 'bl-e: needs 0.005 BTC, has 0',
    });
  });

  it('refuses a limit whose rest it cannot lock after what crossed, taking nothing', async () => {
    const thin: WalkableBook = { bids: [[59990, 5]], asks: [[60000, 0.005]] };
    const paper = await open({ book: () => thin, initialBalances: { USDT: 500 } });
    // 0.005 cross @ 60000 for 300 + taker 0.3 = 300.3, leaving 199.7; the rest, 0.005 @ 60000, needs
    // 300 + maker 0.3 = 300.3 locked.
    expect(await refusal(paper, limit('bl-f', 'buy', 0.01, 60000))).toMatchObject({
      reason: 'insufficient_funds',
      message: 'bl-f: resting 0.005 @ 60000 needs 300.3 USDT, has 199.7 free',
    });
    expect(await paper.balances()).toEqual({ USDT: 500 });
    // With enough for both it takes the cross and rests the rest: 600.6 USDT used, 300.3 of it locked.
    const rich = await open({ book: () => thin, initialBalances: { USDT: 700 } });
    expect(await rich.submit(limit('bl-f', 'buy', 0.01, 60000))).toMatchObject({
      status: 'partially_filled',
      filledQty: 0.005,
    });
    expect(await rich.balances()).toEqual({ USDT: 399.7, BTC: 0.005 });
    expect(await refusal(rich, market('bl-g', 'buy', 0.002))).toMatchObject({ reason: 'insufficient_funds' });
  });

  it('fills a buy resting on the whole free quote to the last satoshi, however prints split it, creating none', async () => {
    const above: WalkableBook = { bids: [[60000, 5]], asks: [[60001, 5]] };
    // 0.00022 @ 60000.05 = 13.200011 + maker fee 0.01320001: it locks all 13.21321101 USDT.
    const paper = await open({ book: () => above, initialBalances: { USDT: 13.21321101 } });
    expect(await paper.submit(limit('bl-h', 'buy', 0.00022, 60000.05))).toMatchObject({ status: 'accepted' });
    expect(await paper.freeBalances()).toEqual({ USDT: 0 });
    // Half of it: 6.6000055 + fee 0.00660001 (rounded up), so the half left locks 6.6066055.
    expect(await paper.onTrade(print(60000.04, 0.00011))).toEqual([
      expect.objectContaining({ status: 'partially_filled', filledQty: 0.00011 }),
    ]);
    expect(await paper.balances()).toEqual({ USDT: 6.6066055, BTC: 0.00011 });
    expect(await paper.freeBalances()).toEqual({ USDT: 0, BTC: 0.00011 });
    // The other half pays the fee on the whole less what the first paid: 0.0066, not 0.00660001 again.
    expect(await paper.onTrade(print(60000.04, 0.00011))).toEqual([
      expect.objectContaining({ status: 'filled', filledQty: 0.00022 }),
    ]);
    const filled = await paper.fetchByClientId('BTC-USDT', 'bl-h');
    expect(filled?.fills.map((f) => f.fee)).toEqual([0.00660001, 0.0066]);
    expect(await paper.balances()).toEqual({ USDT: 0, BTC: 0.00022 });
  });

  it('ends a resting order stored before locks existed that its fill finds unfunded, rather than keep it open', async () => {
    const store = memoryStore();
    store.stored.balances = { USDT: 100 };
    // Accepted back then without funds: 0.01 @ 59000 needs 590.59 USDT.
    const unfunded: VenueOrder = {
      clientOrderId: 'bl-old',
      venueOrderId: 'old-1',
      symbol: 'BTC-USDT',
      side: 'buy',
      status: 'accepted',
      qty: 0.01,
      price: 59000,
      filledQty: 0,
      avgPrice: null,
      fills: [],
    };
    store.stored.orders = [unfunded];
    const paper = await open({ book: () => book, store });
    expect(await paper.onTrade(print(58999, 1))).toEqual([]);
    expect(await paper.fetchByClientId('BTC-USDT', 'bl-old')).toMatchObject({
      status: 'cancelled',
      filledQty: 0,
    });
    expect(await paper.openOrders()).toEqual([]);
    expect(await paper.balances()).toEqual({ USDT: 100 });
  });
});

describe('PaperVenue applies the venue filters', () => {
  // Recorded Binance BTCUSDT depth (best ask 58001.04) and BTCUSDT's recorded spot filters (2021-10-12
  // exchangeInfo: tick 0.01, step 0.00001, minimum quantity 0.00001, minimum notional 10).
  const depth = recordedDepthSnapshot('BTCUSDT', 1_700_000_000_000);
  const binanceRules = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 };
  const venue = () => open({ book: () => depth, rules: () => binanceRules });
  const refusal = (paper: PaperVenue, request: VenueOrderRequest) =>
    paper.submit(request).then(
      () => undefined,
      (e: unknown) => e,
    );

  it('refuses a quantity off the step, a price off the tick and less than the minimum notional, as Binance does', async () => {
    const paper = await venue();
    expect(await refusal(paper, { ...marketBuy, qty: 0.0339716 })).toMatchObject({
      reason: 'precision',
      message: expect.stringContaining('Filter failure: LOT_SIZE'),
    });
    const limit = { ...marketBuy, clientOrderId: 'bl-2', type: 'limit' as const, qty: 0.001 };
    expect(await refusal(paper, { ...limit, price: 57_000.005 })).toMatchObject({
      reason: 'precision',
      message: expect.stringContaining('Filter failure: PRICE_FILTER'),
    });
    // 0.00017 at the best ask 58001.04 is 9.86 USDT.
    expect(await refusal(paper, { ...marketBuy, clientOrderId: 'bl-3', qty: 0.00017 })).toMatchObject({
      reason: 'min_notional',
      message: expect.stringContaining('Filter failure: NOTIONAL'),
    });
    expect(await paper.balances()).toEqual({ USDT: 10_000 });
    // 0.00018 is 10.44 USDT: taken.
    expect(await paper.submit({ ...marketBuy, clientOrderId: 'bl-4', qty: 0.00018 })).toMatchObject({
      status: 'filled',
      filledQty: 0.00018,
    });
  });

  it('refuses a market order above MARKET_LOT_SIZE and a limit outside the percent band, as Binance does', async () => {
    // The same recording's MARKET_LOT_SIZE maxQty 100.05381873 and PERCENT_PRICE 0.2..5.
    const band = { up: 5, down: 0.2 };
    const rules = { ...binanceRules, marketMaxQty: 100.05381873, percentPrice: { buy: band, sell: band } };
    const paper = await open({
      book: () => depth,
      rules: () => rules,
      initialBalances: { USDT: 10_000_000 },
    });
    expect(await refusal(paper, { ...marketBuy, qty: 150 })).toMatchObject({
      reason: 'invalid_order',
      message: expect.stringContaining('Filter failure: MARKET_LOT_SIZE'),
    });
    const limit = { ...marketBuy, clientOrderId: 'bl-2', type: 'limit' as const, qty: 0.001 };
    expect(await refusal(paper, { ...limit, price: 11_000 })).toMatchObject({
      reason: 'invalid_order',
      message: expect.stringContaining('Filter failure: PERCENT_PRICE'),
    });
    expect(await paper.balances()).toEqual({ USDT: 10_000_000 });
  });
});
