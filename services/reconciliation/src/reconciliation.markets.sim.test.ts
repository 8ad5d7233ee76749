import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ourSlice, type SimRecon, simClient, simSlices, startSimRecon } from './testing/sim-recon';

// Accounts trading more than BTC-USDT, each on a simulator of its own with the orders service beside
// reconciliation. The simulator's books are binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// and 2021-04-04_rest_depth_ETHUSDT_limit1000.json, its filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const ACCOUNT = { apiKey: 'recon-markets-key', secret: 'recon-markets-secret' };
const MARKETS = ['BTCUSDT', 'ETHUSDT'];

/** An order of ours as the order manager records it (planned, sent, the venue's answer stored), then filled unseen. */
async function missedFill(
  recon: SimRecon,
  clientOrderId: string,
  o: { symbol: string; side: 'buy' | 'sell'; qty: number; price: number },
): Promise<void> {
  const slices = simSlices(recon.fixture);
  await slices.plan([ourSlice(clientOrderId, { ...o, type: 'limit' })]);
  const ccxtSymbol = o.symbol.replace('-', '/');
  const placed = await simClient(recon.fixture, ACCOUNT).createOrder(
    ccxtSymbol,
    'limit',
    o.side,
    o.qty,
    o.price,
    {
      clientOrderId,
    },
  );
  await slices.update(clientOrderId, { status: 'open', venueOrderId: String(placed.id) });
  await recon.fixture.sim.tamper.fillSilently(o.symbol.replace('-', ''), clientOrderId);
}

async function tradeIdsOf(recon: SimRecon, clientOrderId: string): Promise<string[]> {
  const fills = ((await simSlices(recon.fixture).get(clientOrderId))?.fills ?? []) as Array<{
    tradeId: string;
  }>;
  return fills.map((f) => f.tradeId);
}

const kinds = (report: Awaited<ReturnType<SimRecon['reconciler']['run']>>) =>
  report.drifts.map((d) => [d.drift.kind, d.drift.key, d.outcome]);

describe('two markets numbering their trades apart', { timeout: 120_000 }, () => {
  let recon: SimRecon;
  beforeAll(async () => {
    recon = await startSimRecon(
      'recon_markets_ids',
      { ...ACCOUNT, balances: { USDT: '10000' }, symbols: MARKETS },
      { RECON_SYMBOLS: 'BTC-USDT,ETH-USDT' },
    );
  }, 240_000);
  afterAll(async () => {
    await recon?.[Symbol.asyncDispose]();
  });

  it("ingests a missed trade whose id is a recorded fill's on another market: Binance numbers trades per market", async () => {
    await missedFill(recon, 'bl-btc1', { symbol: 'BTC-USDT', side: 'buy', qty: 0.002, price: 30_000 });
    expect((await recon.reconciler.run()).outcome).toBe('repaired');
    await missedFill(recon, 'bl-eth1', { symbol: 'ETH-USDT', side: 'buy', qty: 0.5, price: 1_000 });
    const report = await recon.reconciler.run();
    expect(kinds(report)).toEqual([
      ['missing_fill', 'fill:ETH-USDT:1', 'applied'],
      ['order_state', 'state:bl-eth1:filled', 'applied'],
    ]);
    expect(report.outcome).toBe('repaired');
    expect(await simSlices(recon.fixture).get('bl-eth1')).toMatchObject({
      status: 'filled',
      filledQty: 0.5,
      avgPrice: 1_000,
    });
    expect([await tradeIdsOf(recon, 'bl-btc1'), await tradeIdsOf(recon, 'bl-eth1')]).toEqual([['1'], ['1']]);
    expect((await recon.reconciler.run()).outcome).toBe('clean');
  });
});
