import { NatsBus } from '@ballast/bus';
import { type Envelope, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { btcSlice } from '@ballast/db/testing';
import { natsUrl, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReconciler } from './service';
import {
  type SimRecon,
  simClient,
  simReconConfig,
  simReconDeps,
  simSlices,
  startSimRecon,
  venueWith,
} from './testing/sim-recon';

// An order that fills while a run reads the venue, on a simulator of its own with the orders service.
const ACCOUNT = { apiKey: 'recon-fills-key', secret: 'recon-fills-secret' };
const clock = { now: () => Date.now() };
let recon: SimRecon;
const events: OrderEvent[] = [];

beforeAll(async () => {
  recon = await startSimRecon('recon_fills', { ...ACCOUNT, balances: { USDT: '10000' } });
  await recon.fixture.bus.subscribe(
    subject(Subjects.orderEvent, {}),
    (m: Envelope<OrderEvent>) => void events.push(m.payload),
    { durable: 'test-ord-event-fills' },
  );
}, 240_000);

afterAll(async () => {
  await recon?.[Symbol.asyncDispose]();
});

describe('an order that fills after the trades are read, before its lookup', { timeout: 120_000 }, () => {
  it('is never set filled with less filled than the venue reports', async () => {
    const slices = simSlices(recon.fixture);
    await slices.plan([btcSlice('bl-late1', { type: 'limit', qty: 0.002, price: 30_000 })]);
    const placed = await simClient(recon.fixture, ACCOUNT).createOrder(
      'BTC/USDT',
      'limit',
      'buy',
      0.002,
      30_000,
      {
        clientOrderId: 'bl-late1',
      },
    );
    await slices.update('bl-late1', { status: 'open', venueOrderId: String(placed.id) });
    const config = simReconConfig(recon.fixture, ACCOUNT);
    const bus = await NatsBus.connect({
      servers: await natsUrl(),
      prefix: recon.fixture.prefix,
      source: 'reconciliation',
      clock,
    });
    // Filled after the trades and balances are read, before the open orders are.
    let filled = false;
    const venue = venueWith(config, (base) => ({
      async openOrders(symbol?: string) {
        if (!filled) {
          filled = true;
          await recon.fixture.sim.tamper.fillSilently('BTCUSDT', 'bl-late1');
        }
        return base.openOrders(symbol);
      },
    }));
    const reconciler = buildReconciler(simReconDeps(recon.fixture, bus, config), venue);
    expect((await reconciler.run()).status).toBe('unreconciled');
    await waitFor(
      async () => (await reconciler.run()).status === 'reconciled',
      'the fill and status repaired',
    );
    await bus.drain();
    expect(await slices.get('bl-late1')).toMatchObject({ status: 'filled', filledQty: 0.002 });
    await waitFor(
      () => events.some((e) => e.clientOrderId === 'bl-late1' && e.status === 'filled'),
      'the filled event',
    );
    const early = events.filter(
      (e) => e.clientOrderId === 'bl-late1' && e.filledQty < 0.002 && e.status === 'filled',
    );
    expect(early).toEqual([]);
  });
});
