import { type Envelope, type OrderEvent, Subjects, subject } from '@ballast/contracts';
import { btcSlice } from '@ballast/db/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReconciler, buildVenue } from './service';
import { simClient, simReconConfig, simReconDeps, simSlices, startSimVenue } from './testing/sim-recon';

// No orders service runs here: the one writer of fills is down (a crash, a restart), so every fill
// reconciliation asks it to record stays unrecorded until a test books it as the orders service would.
const ACCOUNT = { apiKey: 'recon-unrecorded-key', secret: 'recon-unrecorded-secret' };

let sim: Awaited<ReturnType<typeof startSimVenue>>;
const events: OrderEvent[] = [];

beforeAll(async () => {
  sim = await startSimVenue('recon_unrecorded', ACCOUNT);
  await sim.fixture.bus.subscribe(
    subject(Subjects.orderEvent, {}),
    (m: Envelope<OrderEvent>) => void events.push(m.payload),
    { durable: 'test-ord-event-unrecorded' },
  );
}, 120_000);

afterAll(async () => {
  await sim?.[Symbol.asyncDispose]();
});

describe('an order that filled and ended while the orders service was down', { timeout: 120_000 }, () => {
  it('is not closed with less filled than the venue reports while its fills are unrecorded', async () => {
    const { fixture, bus } = sim;
    const slices = simSlices(fixture);
    const client = simClient(fixture, ACCOUNT);
    await slices.plan([btcSlice('bl-down1', { type: 'limit', qty: 0.002, price: 30_000 })]);
    const placed = await client.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 30_000, {
      clientOrderId: 'bl-down1',
    });
    await slices.update('bl-down1', { status: 'open', venueOrderId: String(placed.id) });
    // Half of it fills, then the rest is cancelled by hand: the venue reports it cancelled, 0.001 filled.
    fixture.sim.tamper.printThrough('BTCUSDT', 'bl-down1', '0.001');
    fixture.sim.tamper.cancelOrder('BTCUSDT', 'bl-down1');
    const config = simReconConfig(fixture, ACCOUNT, { RECON_FILL_WAIT_MS: '200' });
    const reconciler = buildReconciler(simReconDeps(fixture, bus, config), buildVenue(config));

    const report = await reconciler.run();
    expect(report.status).toBe('unreconciled');
    const fill = report.drifts.find((d) => d.drift.kind === 'missing_fill');
    expect(fill?.outcome).toBe('failed');
    // Still open in our books: closed now, with nothing of its fill recorded, every reader (risk, the
    // stops service's entry plan, the operator) would be told it ended with nothing filled.
    expect(await slices.get('bl-down1')).toMatchObject({ status: 'open', filledQty: 0 });
    expect(report.drifts.find((d) => d.drift.kind === 'order_state')?.outcome).toBe('failed');

    // The orders service back: it books the trade the command named, as it does (by its trade id).
    const trade = fill?.drift.kind === 'missing_fill' ? fill.drift.trade : undefined;
    if (!trade) throw new Error('no missing fill found');
    const { venueOrderId: _order, symbol: _symbol, side: _side, ...booked } = trade;
    await slices.update('bl-down1', { fills: [booked], filledQty: trade.qty, avgPrice: trade.price });
    await waitFor(async () => (await reconciler.run()).status === 'reconciled', 'the status repaired');
    expect(await slices.get('bl-down1')).toMatchObject({ status: 'cancelled', filledQty: 0.001 });
    await waitFor(
      () => events.some((e) => e.clientOrderId === 'bl-down1' && e.status === 'cancelled'),
      'the cancelled event',
    );
    expect(events.filter((e) => e.clientOrderId === 'bl-down1' && e.status === 'cancelled')).toEqual([
      expect.objectContaining({ filledQty: 0.001 }),
    ]);
  });
});
