import ccxt, { type Order } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeSim } from './index';
import { binanceClient, startBinanceSim } from './testing';

// Reads the simulator's default Binance recording: binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz
// (BTCUSDT filters, order types), binance-spot-ws/2021-04-04_*.frames.jsonl.gz with the matching BTCUSDT
// depth snapshot. BTCUSDT aggTrades print 58001.03/58001.04 up to frame 75, 58001.01 (75), 58000.99 (76),
// 58000.27 (77, 78), 58000.27–58000.28 until frame 102, then 58001.03 again from frame 110.
const API_KEY = 'stop-key';
const SECRET = 'stop-secret';

let sim: ExchangeSim;

beforeAll(async () => {
  sim = await startBinanceSim({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    apiKey: API_KEY,
    secret: SECRET,
    balances: { USDT: '1000', BTC: '0.004' },
  });
});
afterAll(() => sim.close());

const binance = () => binanceClient(sim, { apiKey: API_KEY, secret: SECRET });

const stopSell = (ex: ReturnType<typeof binance>, id: string, qty: number, stop: number, limit: number) =>
  ex.createOrder('BTC/USDT', 'STOP_LOSS_LIMIT', 'sell', qty, limit, { stopPrice: stop, clientOrderId: id });

async function admin(path: string, body: object): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.restUrl}/_sim/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const byClientId = (ex: ReturnType<typeof binance>, id: string): Promise<Order> =>
  ex.fetchOrder('', 'BTC/USDT', { clientOrderId: id });

describe('Binance STOP_LOSS_LIMIT on the simulator, through ccxt', () => {
  it('rests a sell stop-limit as ccxt sends it: listed open, not working, base asset locked', async () => {
    const ex = binance();
    const placed = await stopSell(ex, 'stop-a', 0.001, 58000.5, 58000);
    expect(placed).toMatchObject({ clientOrderId: 'stop-a', status: 'open', filled: 0, price: 58000 });
    const read = await byClientId(ex, 'stop-a');
    expect(read).toMatchObject({ status: 'open', triggerPrice: 58000.5, side: 'sell', amount: 0.001 });
    expect(read.info).toMatchObject({
      type: 'STOP_LOSS_LIMIT',
      stopPrice: '58000.50000000',
      price: '58000.00000000',
      timeInForce: 'GTC',
      status: 'NEW',
      isWorking: false,
      workingTime: -1,
    });
    const open = await ex.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => [o.clientOrderId, o.info.type])).toEqual([['stop-a', 'STOP_LOSS_LIMIT']]);
    const balance = await ex.fetchBalance();
    expect(balance.BTC).toMatchObject({ free: 0.003, used: 0.001 });
  });

  it('refuses a stop the last price has already reached', async () => {
    const ex = binance();
    sim.controls.step(5); // a BTCUSDT trade at 58001.03 is now the last price
    await expect(stopSell(ex, 'stop-now', 0.001, 58002, 58001)).rejects.toBeInstanceOf(
      ccxt.OrderImmediatelyFillable,
    );
    await expect(stopSell(ex, 'stop-now', 0.001, 58002, 58001)).rejects.toThrow(
      /Stop price would trigger immediately/,
    );
  });

  it('triggers on a replayed trade at the stop: takes the bids at or above its limit, or rests working', async () => {
    const ex = binance();
    // When frame 77 prints, the replayed book still bids 58001.01 (its diff comes later): stop-a sells
    // there as taker. stop-b's limit (above its stop, as Binance allows) is above that bid: it rests.
    await stopSell(ex, 'stop-b', 0.001, 58000.5, 58001.02);
    sim.controls.step(77 - 5); // frames 5 to 76: 58000.99 is the lowest, above both stops
    expect((await byClientId(ex, 'stop-a')).info).toMatchObject({ status: 'NEW', isWorking: false });
    sim.controls.step(1); // frame 77 prints 58000.27 (frames count from 0)
    const a = await byClientId(ex, 'stop-a');
    expect(a).toMatchObject({ status: 'closed', filled: 0.001 });
    expect(a.info.isWorking).toBe(true);
    const [fill] = (await ex.fetchMyTrades('BTC/USDT')).filter((t) => t.order === a.id);
    expect(fill).toMatchObject({ takerOrMaker: 'taker', price: 58001.01, amount: 0.001 });

    const b = await byClientId(ex, 'stop-b');
    expect(b).toMatchObject({ status: 'open', filled: 0 });
    expect(b.info).toMatchObject({ status: 'NEW', isWorking: true });
    sim.controls.step(110 - 77); // frames 78 to 110: 58001.03 at 110 goes through the resting limit
    // That recorded trade is 0.00023 BTC: the resting limit fills no more than it.
    const filledB = await byClientId(ex, 'stop-b');
    expect(filledB).toMatchObject({ status: 'open', filled: 0.00023, average: 58001.02 });
    expect((await ex.cancelOrder('', 'BTC/USDT', { origClientOrderId: 'stop-b' })).status).toBe('canceled');
    const balance = await ex.fetchBalance();
    expect(balance.BTC).toMatchObject({ free: 0.00277, used: 0 });
    // 1000 + (58.00101 − 0.1 % fee 0.05800101) + (13.3402346 − 0.01334023), exact to 1e-8.
    expect(balance.USDT).toMatchObject({ free: 1071.26990336, used: 0 });
  });

  it('cancels a stop by client id and unlocks the base asset', async () => {
    const ex = binance();
    await stopSell(ex, 'stop-c', 0.002, 57000, 56990);
    expect((await ex.fetchBalance()).BTC?.used).toBe(0.002);
    const cancelled = await ex.cancelOrder('', 'BTC/USDT', { clientOrderId: 'stop-c' });
    expect(cancelled.status).toBe('canceled');
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await ex.fetchBalance()).BTC).toMatchObject({ free: 0.00277, used: 0 });
  });

  it('admin hooks: a stop cancelled behind the client, and the next stops refused', async () => {
    const ex = binance();
    await stopSell(ex, 'stop-d', 0.001, 57000, 56990);
    expect(await admin('venue/cancel', { symbol: 'BTCUSDT', clientOrderId: 'stop-d' })).toMatchObject({
      status: 200,
    });
    expect((await byClientId(ex, 'stop-d')).status).toBe('canceled');
    expect((await ex.fetchBalance()).BTC?.used).toBe(0);

    expect((await admin('orders/refuse-stops', { count: 1 })).status).toBe(200);
    await expect(stopSell(ex, 'stop-e', 0.001, 57000, 56990)).rejects.toThrow(
      /"code":-1013,"msg":"Filter failure: MAX_NUM_ALGO_ORDERS"/,
    );
    const next = await stopSell(ex, 'stop-e', 0.001, 57000, 56990);
    expect(next.status).toBe('open');
  });
});
