import { recordedDepthSnapshot } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { PaperStopVenue, type PaperStopVenueDeps } from './paper-stop-venue';
import { PaperVenue } from './paper-venue';
import { stopLimitPrice } from './stop-limit-price';

// The backtest's fallback market rules (a 1e-8 lot and tick). 278.11016167 SOL is a position a SOLUSDT
// 4h backtest (binance-spot-ohlcv/SOLUSDT-4h.csv) held on 2021-01-26 20:00 after two adds: 27,811,016,167
// lots, whose float division by the lot is 27811016167.000004.
const rules = { tickSize: 1e-8, stepSize: 1e-8, minQty: 0, minNotional: 10 };
let n = 0;
const venue = () =>
  new PaperStopVenue({ venue: 'paper', rules: () => rules, ids: () => `v-${++n}`, limitOffsetBps: 50 });
const request = (qty: number, stopPrice: number) => ({
  clientOrderId: `c-${qty}-${stopPrice}`,
  symbol: 'SOL-USDT',
  side: 'sell' as const,
  qty,
  stopPrice,
  reduceOnly: true,
});

describe('PaperStopVenue precision', () => {
  it('takes a stop for a position of billions of lots on the lot grid', async () => {
    const stops = venue();
    await expect(stops.placeStop(request(278.11016167, 3.43104922))).resolves.toMatchObject({
      status: 'open',
      qty: 278.11016167,
    });
  });

  it('refuses a quantity or a stop price off the grid, naming which', async () => {
    const stops = venue();
    await expect(stops.placeStop(request(278.110161675, 3.43104922))).rejects.toThrow(
      'quantity 278.110161675 is not a multiple of the step 1e-8',
    );
    await expect(stops.placeStop(request(278.11016167, 3.431049225))).rejects.toThrow(
      'price 3.431049225 is not a multiple of the tick 1e-8',
    );
  });
});

// BTCUSDT's recorded spot filters (2021-10-12 exchangeInfo: tick 0.01, step 0.00001, minimum quantity
// 0.00001, minimum notional 10) and the live default STOP_LIMIT_OFFSET_BPS (50).
const btcRules = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 };
const spot = (deps: Partial<PaperStopVenueDeps> = {}) =>
  new PaperStopVenue({
    venue: 'binance',
    rules: () => btcRules,
    ids: () => `v-${++n}`,
    limitOffsetBps: 50,
    ...deps,
  });
let c = 0;
const sellStop = (qty: number, stopPrice: number, symbol = 'BTC-USDT') => ({
  clientOrderId: `bl-s${++c}`,
  symbol,
  side: 'sell' as const,
  qty,
  stopPrice,
  reduceOnly: false,
});
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('PaperStopVenue as a Binance spot account', () => {
  it('has no reduce-only stops unless it simulates a venue that has them', () => {
    expect(spot().supportsReduceOnly).toBe(false);
    expect(spot({ supportsReduceOnly: true }).supportsReduceOnly).toBe(true);
  });
});

describe('PaperStopVenue stops are STOP_LOSS_LIMIT orders', () => {
  it('rests the limit 50 bps beyond the stop, where the live venue places it', async () => {
    const placed = await spot().placeStop(sellStop(0.001, 57_000));
    expect(placed).toMatchObject({ status: 'open', stopPrice: 57_000, limitPrice: 56_715, filledQty: 0 });
    expect(placed.limitPrice).toBe(stopLimitPrice({ side: 'sell', stopPrice: 57_000 }, 50, 0.01));
  });

  it('triggers on a print past its limit and rests there unfilled, until cancelled', async () => {
    const stops = spot();
    const stop = sellStop(0.001, 57_000);
    await stops.placeStop(stop);
    expect(await stops.observePrice('BTC-USDT', 56_700)).toEqual([]);
    const resting = { status: 'triggered', filledQty: 0, limitPrice: 56_715 };
    expect(await stops.fetchStop('BTC-USDT', stop.clientOrderId)).toMatchObject(resting);
    expect(stops.openStops()).toMatchObject([resting]);
    expect(await stops.cancelStop('BTC-USDT', stop.clientOrderId)).toMatchObject({
      status: 'cancelled',
      filledQty: 0,
    });
    expect(stops.openStops()).toEqual([]);
  });

  it('executes in full on a print through its stop no worse than its limit', async () => {
    const stops = spot();
    const stop = sellStop(0.001, 57_000);
    await stops.placeStop(stop);
    expect(await stops.observePrice('BTC-USDT', 56_715)).toMatchObject([
      { clientOrderId: stop.clientOrderId, status: 'triggered', filledQty: 0.001 },
    ]);
    expect(stops.openStops()).toEqual([]);
  });

  it('executes a stop resting past its limit once the price comes back to the limit', async () => {
    const stops = spot();
    await stops.placeStop(sellStop(0.001, 57_000));
    await stops.observePrice('BTC-USDT', 56_000);
    expect(await stops.observePrice('BTC-USDT', 56_714.99)).toEqual([]);
    expect(await stops.observePrice('BTC-USDT', 56_720)).toMatchObject([{ filledQty: 0.001 }]);
  });

  it('a stop resting past its limit is not executed by a print only touching the limit, as a resting paper limit is not', async () => {
    const stops = spot();
    const stop = sellStop(0.001, 57_000);
    await stops.placeStop(stop);
    await stops.observePrice('BTC-USDT', 56_000);
    expect(await stops.observePrice('BTC-USDT', 56_715)).toEqual([]);
    expect(await stops.fetchStop('BTC-USDT', stop.clientOrderId)).toMatchObject({
      status: 'triggered',
      filledQty: 0,
      limitPrice: 56_715,
    });
    expect(await stops.observePrice('BTC-USDT', 56_715.01)).toMatchObject([{ filledQty: 0.001 }]);
  });
});

describe('PaperStopVenue refuses what Binance refuses', () => {
  it('a sell stop at or above the last price: it would trigger immediately', async () => {
    const stops = spot();
    await stops.observePrice('BTC-USDT', 58_000);
    for (const stopPrice of [58_000, 58_000.01])
      expect(await refusal(stops.placeStop(sellStop(0.001, stopPrice)))).toMatchObject({
        reason: 'invalid_order',
        message: expect.stringContaining('Stop price would trigger immediately'),
      });
    await expect(stops.placeStop(sellStop(0.001, 57_999.99))).resolves.toMatchObject({ status: 'open' });
  });

  it('a stop under the minimum notional at its limit, though not at its stop', async () => {
    // 0.00018 × 55,600 = 10.008 at the stop; at the limit 55,322: 9.95796, under 10.
    expect(await refusal(spot().placeStop(sellStop(0.00018, 55_600)))).toMatchObject({
      reason: 'min_notional',
      message: expect.stringContaining('Filter failure: NOTIONAL'),
    });
    await expect(spot().placeStop(sellStop(0.00019, 55_600))).resolves.toMatchObject({ status: 'open' });
  });

  it('a sixth open stop on one symbol (MAX_NUM_ALGO_ORDERS); once one is done another is taken', async () => {
    const stops = spot();
    const first = sellStop(0.001, 57_000);
    await stops.placeStop(first);
    for (let i = 0; i < 4; i++) await stops.placeStop(sellStop(0.001, 57_000));
    expect(await refusal(stops.placeStop(sellStop(0.001, 57_000)))).toMatchObject({
      reason: 'invalid_order',
      message: expect.stringContaining('Filter failure: MAX_NUM_ALGO_ORDERS'),
    });
    await expect(stops.placeStop(sellStop(0.01, 3_000, 'ETH-USDT'))).resolves.toMatchObject({
      status: 'open',
    });
    await stops.cancelStop('BTC-USDT', first.clientOrderId);
    await expect(stops.placeStop(sellStop(0.001, 57_000))).resolves.toMatchObject({ status: 'open' });
  });
});

describe('PaperStopVenue locks the coins a stop covers in the paper account', () => {
  // Recorded Binance BTCUSDT depth (best bid 58001.03), for the market sales.
  const depth = recordedDepthSnapshot('BTCUSDT', 1_700_000_000_000);
  async function account() {
    let stops: PaperStopVenue | undefined;
    let m = 0;
    const paper = await PaperVenue.open({
      venue: 'binance',
      book: () => depth,
      rules: () => btcRules,
      fees: { maker: 0.001, taker: 0.001, feesIn: 'quote' },
      store: {
        loadBalances: async () => ({}),
        saveBalances: async () => undefined,
        loadOrders: async () => [],
        saveOrder: async () => undefined,
      },
      clock: { now: () => 1_700_000_000_000 },
      ids: () => `o${++m}`,
      initialBalances: { BTC: 0.002, USDT: 0 },
      stops: {
        locks: () => stops?.locks() ?? [],
        openStops: (s) => stops?.openStops(s) ?? [],
        cancelStop: async (s, id) => stops?.cancelStop(s, id),
      },
    });
    stops = spot({ account: paper });
    return { paper, stops };
  }
  const sale = (qty: number, clientOrderId: string) => ({
    clientOrderId,
    symbol: 'BTC-USDT',
    side: 'sell' as const,
    type: 'market' as const,
    qty,
    price: null,
    reduceOnly: false,
  });

  it('refuses a sale of coins a stop locks, and takes it once the stop is cancelled', async () => {
    const { paper, stops } = await account();
    const stop = sellStop(0.002, 57_000);
    await stops.placeStop(stop);
    expect(await refusal(paper.submit(sale(0.001, 'bl-tp')))).toMatchObject({ reason: 'insufficient_funds' });
    expect(await paper.balances()).toEqual({ BTC: 0.002, USDT: 0 });
    await stops.cancelStop('BTC-USDT', stop.clientOrderId);
    await expect(paper.submit(sale(0.001, 'bl-tp2'))).resolves.toMatchObject({ status: 'filled' });
  });

  it('lists the stop among the account open orders and cancels it by its client id, freeing its coins', async () => {
    const { paper, stops } = await account();
    const stop = sellStop(0.002, 57_000);
    await stops.placeStop(stop);
    expect(await paper.openOrders('BTC-USDT')).toMatchObject([
      { clientOrderId: stop.clientOrderId, side: 'sell', status: 'accepted', qty: 0.002, filledQty: 0 },
    ]);
    await expect(paper.cancel('BTC-USDT', stop.clientOrderId)).resolves.toMatchObject({
      clientOrderId: stop.clientOrderId,
      status: 'cancelled',
    });
    expect(stops.openStops()).toEqual([]);
    expect(await paper.openOrders()).toEqual([]);
    await expect(paper.submit(sale(0.002, 'bl-close'))).resolves.toMatchObject({ status: 'filled' });
  });

  it('refuses a stop on coins another stop locks, as Binance refuses one it cannot lock funds for', async () => {
    const { stops } = await account();
    await stops.placeStop(sellStop(0.0015, 57_000));
    expect(await refusal(stops.placeStop(sellStop(0.001, 56_000)))).toMatchObject({
      reason: 'insufficient_funds',
      message: expect.stringContaining('0.001 BTC, 0.0005 free'),
    });
    await expect(stops.placeStop(sellStop(0.0005, 56_000))).resolves.toMatchObject({ status: 'open' });
  });

  it('releases the coins when it executes, so the close it becomes can sell them', async () => {
    const { paper, stops } = await account();
    await stops.placeStop(sellStop(0.002, 57_000));
    await stops.observePrice('BTC-USDT', 56_900);
    await expect(paper.submit(sale(0.002, 'bl-close'))).resolves.toMatchObject({ status: 'filled' });
  });
});
