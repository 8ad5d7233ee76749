import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeSim } from './index';
import { binanceClient, startBinanceSim } from './testing';

// Book: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json; filters:
// binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const API_KEY = 'tamper-key';
const SECRET = 'tamper-secret';
let sim: ExchangeSim;

beforeAll(async () => {
  sim = await startBinanceSim({ apiKey: API_KEY, secret: SECRET, balances: { USDT: '10000', BTC: '0' } });
});
afterAll(() => sim.close());

const client = () => binanceClient(sim, { apiKey: API_KEY, secret: SECRET }, { timeoutMs: 5_000 });

async function admin(path: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.restUrl}/_sim/venue/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('venue tampering, seen through ccxt', () => {
  it('fills a resting order silently: myTrades from an id shows the trade, the balance moved', async () => {
    const ex = client();
    const first = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
      clientOrderId: 'bl-t1',
    });
    const [firstTrade] = await ex.fetchMyTrades('BTC/USDT');
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 30_000, { clientOrderId: 'bl-t2' });
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['bl-t2']);
    const filled = await admin('fill', { symbol: 'BTCUSDT', clientOrderId: 'bl-t2' });
    expect(filled.status).toBe(200);
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
    const since = await ex.fetchMyTrades('BTC/USDT', undefined, undefined, {
      fromId: Number(firstTrade?.id) + 1,
    });
    expect(since.map((t) => [t.price, t.amount, t.side, t.takerOrMaker])).toEqual([
      [30_000, 0.002, 'buy', 'maker'],
    ]);
    expect(since[0]?.order).toBe(String(filled.json.orderId));
    expect(since[0]?.fee).toEqual({ cost: 0.06, currency: 'USDT' });
    const balance = (await ex.fetchBalance()) as unknown as { total: Record<string, number> };
    expect(balance.total.BTC).toBe(0.003);
    expect(first.clientOrderId).toBe('bl-t1');
  });

  it('adds an external order, cancels an order by hand and moves a balance', async () => {
    const ex = client();
    await admin('external-order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.001',
      price: '20000',
      clientOrderId: 'web_x1',
    });
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => [o.clientOrderId, o.price, o.amount])).toEqual([
      ['web_x1', 20_000, 0.001],
    ]);
    expect((await admin('cancel', { symbol: 'BTCUSDT', clientOrderId: 'web_x1' })).status).toBe(200);
    expect(await ex.fetchOpenOrders('BTC/USDT')).toEqual([]);
    const before =
      ((await ex.fetchBalance()) as unknown as { total: Record<string, number> }).total.USDT ?? 0;
    await admin('balance', { asset: 'USDT', delta: '-12.5' });
    const after = ((await ex.fetchBalance()) as unknown as { total: Record<string, number> }).total.USDT ?? 0;
    expect(Number((before - after).toFixed(8))).toBe(12.5);
    expect((await admin('cancel', { symbol: 'BTCUSDT', clientOrderId: 'nope' })).json.reason).toBe(
      'invalid_request',
    );
  });

  it('reports the key withdrawal permission as configured', async () => {
    const ex = client();
    expect((await ex.sapiGetAccountApiRestrictions()).enableWithdrawals).toBe(false);
    await admin('withdrawals', { enabled: true });
    expect((await ex.sapiGetAccountApiRestrictions()).enableWithdrawals).toBe(true);
    sim.tamper.setWithdrawals(false);
    const wrongKey = client();
    wrongKey.apiKey = 'someone-else';
    await expect(wrongKey.sapiGetAccountApiRestrictions()).rejects.toThrow(/API-key/);
  });

  it('goes unreachable for a while and answers again after', async () => {
    const ex = client();
    // ccxt keeps a failed market load; a long-running client has its markets already.
    await ex.loadMarkets();
    await admin('unreachable', { ms: 60_000 });
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ccxt.OperationFailed);
    sim.tamper.unreachable(0);
    expect(((await ex.fetchBalance()) as unknown as { total: Record<string, number> }).total.BTC).toBe(0.003);
  });
});
