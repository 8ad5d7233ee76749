import { readDataFile, sharedDataDir } from '@ballast/testkit';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExchangeSim, startExchangeSim } from './index';

// Reads: binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (markets),
// binance-spot-ohlcv/BTCUSDT-1h.csv.gz (klines), binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json (book).
const API_KEY = 'test-key';
const SECRET = 'test-secret';

let sim: ExchangeSim;

beforeAll(async () => {
  sim = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: {
      symbols: ['BTCUSDT', 'ETHUSDT', 'DOTUSDT'],
      candles: [{ symbol: 'BTCUSDT', interval: '1h', file: 'binance-spot-ohlcv/BTCUSDT-1h.csv.gz' }],
      apiKey: API_KEY,
      apiSecret: SECRET,
      balances: { USDT: '10000', BTC: '0' },
    },
  });
});
afterAll(() => sim.close());

function binance(credentials: { apiKey?: string; secret?: string } = {}) {
  const ex = new ccxt.binance({
    ...credentials,
    enableRateLimit: false,
    options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] } },
  });
  const api = ex.urls.api as Record<string, string>;
  for (const key of Object.keys(api)) {
    const path = new URL(api[key] as string).pathname;
    api[key] = `${sim.restUrl}${path}`;
  }
  return ex;
}

const recordedBook = JSON.parse(
  readDataFile('binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json'),
) as {
  lastUpdateId: number;
  asks: [string, string][];
  bids: [string, string][];
};

/** Decimal string → integer units of 1e-8, for hand computation without floats. */
const u = (s: string) => {
  const [i, f = ''] = s.split('.');
  return BigInt(i as string) * 100_000_000n + BigInt(f.padEnd(8, '0').slice(0, 8));
};

describe('ccxt binance against the simulator', () => {
  it('parses the recorded exchangeInfo into markets with the real BTC/USDT filters', async () => {
    const ex = binance();
    const markets = await ex.loadMarkets();
    const btc = markets['BTC/USDT'];
    expect(btc?.precision).toMatchObject({ price: 0.01, amount: 0.00001 });
    expect(btc?.limits.cost?.min).toBe(10);
    expect(Object.keys(markets)).toHaveLength(3);
  });

  it('paginates fetchOHLCV to exactly the CSV rows of a range', async () => {
    const ex = binance();
    const since = Date.UTC(2021, 0, 1);
    const until = Date.UTC(2021, 2, 15) - 1;
    const candles = await ex.fetchOHLCV('BTC/USDT', '1h', since, undefined, { paginate: true, until });
    const csv = readDataFile('binance-spot-ohlcv/BTCUSDT-1h.csv.gz')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((f) => Number(f[0]) >= since && Number(f[0]) <= until);
    expect(csv.length).toBeGreaterThan(1000);
    expect(candles.map((c) => c.slice(0, 6))).toEqual(
      csv.map((f) => [Number(f[0]), ...f.slice(1, 6).map(Number)]),
    );
  });

  it('serves the recorded depth snapshot before the replay passes it', async () => {
    const book = await binance().fetchOrderBook('BTC/USDT', 1000);
    expect(book.nonce).toBe(recordedBook.lastUpdateId);
    expect(book.asks[0]).toEqual(recordedBook.asks[0]?.map(Number));
    expect(book.bids).toHaveLength(1000);
  });

  it('fills a market buy against the book and charges exactly qty × price + fee', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    const [bestAsk, bestAskQty] = recordedBook.asks[0] as [string, string];
    expect(u(bestAskQty)).toBeGreaterThanOrEqual(u('0.001'));
    const before = await ex.fetchBalance();
    const order = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
      clientOrderId: 'mkt-1',
    });
    expect(order).toMatchObject({
      clientOrderId: 'mkt-1',
      status: 'closed',
      filled: 0.001,
      average: Number(bestAsk),
    });
    const cost = (u(bestAsk) * u('0.001')) / 100_000_000n;
    const fee = (cost * u('0.001') + 50_000_000n) / 100_000_000n;
    const after = await ex.fetchBalance();
    expect(u(String(before.USDT?.free)) - u(String(after.USDT?.free))).toBe(cost + fee);
    expect(after.BTC?.free).toBe(0.001);
    const trades = await ex.fetchMyTrades('BTC/USDT');
    expect(trades.at(-1)).toMatchObject({
      order: order.id,
      price: Number(bestAsk),
      amount: 0.001,
      fee: { currency: 'USDT' },
    });
  });

  it('rests a limit order, finds it, lists it open, cancels it and releases the funds', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'lim-1' });
    expect(order).toMatchObject({ clientOrderId: 'lim-1', status: 'open', price: 50000, filled: 0 });
    const fetched = await ex.fetchOrder(String(order.id), 'BTC/USDT');
    expect(fetched).toMatchObject({ id: order.id, clientOrderId: 'lim-1', status: 'open' });
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.id)).toEqual([order.id]);
    const locked = (await ex.fetchBalance()).USDT?.used;
    expect(locked).toBe(50.05);
    await ex.cancelOrder(String(order.id), 'BTC/USDT');
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await ex.fetchOrder(String(order.id), 'BTC/USDT')).status).toBe('canceled');
    expect((await ex.fetchBalance()).USDT?.used).toBe(0);
  });

  it('fills a resting limit buy when a replayed trade prints through its price', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    // Recorded BTCUSDT aggTrades: 58001.03/58001.04 until frame 75 (58001.01), frame 76 prints 58000.99,
    // then nothing below 58000.27 before frame 80. Best ask is 58001.04, so both buys rest.
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 58000, { clientOrderId: 'lim-2' });
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 58001, { clientOrderId: 'lim-3' });
    expect(order.status).toBe('open');
    expect(sim.controls.step(76)).toBe(76);
    expect((await ex.fetchOrder(String(order.id), 'BTC/USDT')).status).toBe('open');
    sim.controls.step(4);
    expect((await ex.fetchOrder(String(order.id), 'BTC/USDT')).status).toBe('closed');
    const open = await ex.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.clientOrderId)).toEqual(['lim-2']);
    const last = (await ex.fetchMyTrades('BTC/USDT')).at(-1);
    const fromId = await ex.fetchMyTrades('BTC/USDT', undefined, undefined, { fromId: last?.id });
    expect(fromId.map((t) => t.id)).toEqual([last?.id]);
    expect(fromId[0]).toMatchObject({ order: order.id, price: 58001, amount: 0.001, takerOrMaker: 'maker' });
  });

  it("pages an order's trades by orderId with fromId, and refuses a combination Binance does not take (-1128)", async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    const [first] = await ex.fetchMyTrades('BTC/USDT', undefined, 1000, { fromId: 0 });
    const orderId = String(first?.order);
    const fromId = await ex.fetchMyTrades('BTC/USDT', undefined, 1000, { orderId, fromId: 0 });
    expect(fromId.length).toBeGreaterThan(0);
    expect(fromId.every((t) => t.order === orderId)).toBe(true);
    const refused = await ex
      .fetchMyTrades('BTC/USDT', first?.timestamp, undefined, { orderId })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ccxt.BadRequest);
    expect(String(refused)).toContain('{"code":-1128,"msg":"Combination of optional parameters invalid."}');
  });

  it('rejects a duplicate open clientOrderId, as Binance does', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    await expect(
      ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'lim-2' }),
    ).rejects.toThrow(/Duplicate order sent/);
  });

  it('numbers orders per market, as Binance does: ETH/USDT has its own order 1, each found on its market', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    const btc = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'btc-eth' });
    const btcFirst = await ex.fetchOrder('1', 'BTC/USDT');
    const eth = await ex.createOrder('ETH/USDT', 'limit', 'buy', 0.02, 1000, { clientOrderId: 'eth-1' });
    expect(eth).toMatchObject({ id: '1', status: 'open' });
    expect(await ex.fetchOrder('1', 'ETH/USDT')).toMatchObject({
      symbol: 'ETH/USDT',
      clientOrderId: 'eth-1',
    });
    await ex.cancelOrder('1', 'ETH/USDT');
    await ex.cancelOrder(String(btc.id), 'BTC/USDT');
    expect((await ex.fetchOrder('1', 'ETH/USDT')).status).toBe('canceled');
    expect(await ex.fetchOrder('1', 'BTC/USDT')).toMatchObject({
      symbol: 'BTC/USDT',
      clientOrderId: btcFirst.clientOrderId,
    });
  });

  it('raises AuthenticationError on a bad signature', async () => {
    const ex = binance({ apiKey: API_KEY, secret: 'wrong-secret' });
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('raises InsufficientFunds when the quote balance cannot pay', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    await expect(ex.createOrder('BTC/USDT', 'market', 'buy', 1)).rejects.toBeInstanceOf(
      ccxt.InsufficientFunds,
    );
  });

  it('answers Binance MIN_NOTIONAL for an order below 10 USDT (ccxt classes -1013 as BadRequest)', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    const attempt = ex.createOrder('BTC/USDT', 'limit', 'buy', 0.0001, 50000);
    await expect(attempt).rejects.toThrow(/"code":-1013,"msg":"Filter failure: MIN_NOTIONAL"/);
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.0001, 50000)).rejects.toBeInstanceOf(
      ccxt.BadRequest,
    );
  });

  it('answers a parameter spot does not read with -1104 (ccxt BadRequest), as Binance does', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    const before = await ex.fetchMyTrades('BTC/USDT');
    // ccxt passes reduceOnly through on spot (it strips it only for margin), as it does any unknown name.
    const reduceOnly = ex.createOrder('BTC/USDT', 'market', 'sell', 0.001, undefined, { reduceOnly: true });
    await expect(reduceOnly).rejects.toBeInstanceOf(ccxt.BadRequest);
    await expect(reduceOnly).rejects.toThrow(
      /"code":-1104,"msg":"Not all sent parameters were read; read '\d+' parameter\(s\) but was sent '\d+'\."/,
    );
    const unknown = ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { notABinanceParam: 1 });
    await expect(unknown).rejects.toThrow(/"code":-1104/);
    expect(await ex.fetchMyTrades('BTC/USDT')).toEqual(before);
    expect(await ex.fetchOpenOrders('BTC/USDT')).toHaveLength(1);
  });

  it('raises InvalidOrder for a LOT_SIZE failure and OrderNotFound for unknown orders', async () => {
    const ex = binance({ apiKey: API_KEY, secret: SECRET });
    await expect(ex.createOrder('BTC/USDT', 'limit', 'buy', 20000, 50000)).rejects.toBeInstanceOf(
      ccxt.InvalidOrder,
    );
    await expect(ex.fetchOrder('999999', 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await expect(ex.cancelOrder('999999', 'BTC/USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('maps an injected 429 to RateLimitExceeded or DDoSProtection, then recovers', async () => {
    const ex = binance();
    sim.controls.failHttp({
      kind: 'rate_limit',
      count: 1,
      pathPrefix: '/api/v3/depth',
      retryAfterSeconds: 7,
    });
    const err = await ex.fetchOrderBook('BTC/USDT').catch((e: unknown) => e);
    expect(err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection).toBe(true);
    expect((await ex.fetchOrderBook('BTC/USDT')).bids.length).toBeGreaterThan(0);
  });

  it('answers an injected 503 with Binance -1001 (ccxt OperationFailed) and a hung call times out', async () => {
    const ex = binance();
    ex.timeout = 300;
    sim.controls.failHttp({ kind: 'server_error', count: 1 });
    await expect(ex.fetchTime()).rejects.toBeInstanceOf(ccxt.OperationFailed);
    sim.controls.failHttp({ kind: 'timeout', count: 1, pathPrefix: '/api/v3/time' });
    await expect(ex.fetchTime()).rejects.toBeInstanceOf(ccxt.RequestTimeout);
    expect(await ex.fetchTime()).toBeGreaterThan(0);
  });
});
