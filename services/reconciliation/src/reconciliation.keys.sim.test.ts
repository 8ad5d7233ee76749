import { type Envelope, type ReconEvent, Subjects, subject } from '@ballast/contracts';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimRecon, simClient, startSimRecon } from './testing/sim-recon';

// External orders in two markets of one account, on a simulator of its own: Binance numbers orders
// per market, so the ETH-USDT and BTC-USDT markets each have an order 1.
const ACCOUNT = { apiKey: 'recon-keys-key', secret: 'recon-keys-secret' };
let recon: SimRecon;
const events: ReconEvent[] = [];

beforeAll(async () => {
  recon = await startSimRecon(
    'recon_keys',
    { ...ACCOUNT, balances: { USDT: '10000', ETH: '5', BTC: '0' }, symbols: ['BTCUSDT', 'ETHUSDT'] },
    { config: { RECON_SYMBOLS: 'BTC-USDT,ETH-USDT' } },
  );
  await recon.fixture.bus.subscribe(
    subject(Subjects.reconEvent, {}),
    (m: Envelope<ReconEvent>) => void events.push(m.payload),
    { durable: 'test-recon-event-keys' },
  );
}, 240_000);

afterAll(async () => {
  await recon?.[Symbol.asyncDispose]();
});

describe('external orders of one number in two markets', { timeout: 120_000 }, () => {
  it("reports a BTC-USDT order whose number is an acknowledged ETH-USDT one's", async () => {
    const ex = simClient(recon.fixture, ACCOUNT);
    const eth = await ex.createOrder('ETH/USDT', 'limit', 'sell', 0.1, 5000, { clientOrderId: 'web_eth1' });
    const first = await recon.reconciler.run();
    expect(first.drifts.map((d) => [d.drift.kind, d.drift.symbol, d.outcome])).toEqual([
      ['unknown_order', 'ETH-USDT', 'applied'],
    ]);
    const btc = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.02, 1000, { clientOrderId: 'web_btc1' });
    expect(btc.id).toBe(eth.id);
    const report = await recon.reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.drift.symbol])).toEqual([['unknown_order', 'BTC-USDT']]);
  });

  it('publishes one recon.event for each of two such orders found in one run', async () => {
    const ex = simClient(recon.fixture, ACCOUNT);
    const eth = await ex.createOrder('ETH/USDT', 'limit', 'sell', 0.1, 5000, { clientOrderId: 'web_eth2' });
    const btc = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.02, 1000, { clientOrderId: 'web_btc2' });
    expect(btc.id).toBe(eth.id);
    const before = events.length;
    expect((await recon.reconciler.run()).drifts).toHaveLength(2);
    const isNew = (e: ReconEvent) => e.kind === 'unknown_order' && /web_(eth|btc)2/.test(e.evidence);
    await waitFor(() => events.slice(before).filter(isNew).length === 2, 'both recon.events');
  });
});
