import { btcSlice } from '@ballast/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReconciler, buildVenue } from './service';
import { simClient, simReconConfig, simReconDeps, simSlices, startSimVenue } from './testing/sim-recon';

// An order our records hold over (refused, cancelled) that the venue holds open: it landed after the
// orders service gave up on it (a send whose answer was lost), or the venue found it again after
// reconciliation took it for cancelled.
const ACCOUNT = { apiKey: 'recon-resting-key', secret: 'recon-resting-secret' };

let sim: Awaited<ReturnType<typeof startSimVenue>>;

beforeAll(async () => {
  sim = await startSimVenue('recon_resting', ACCOUNT);
}, 120_000);

afterAll(async () => {
  await sim?.[Symbol.asyncDispose]();
});

describe('an order of ours recorded over that rests open on the venue', { timeout: 120_000 }, () => {
  it('is cancelled on the venue, loudly, and the next read agrees', async () => {
    const { fixture, bus } = sim;
    const slices = simSlices(fixture);
    const client = simClient(fixture, ACCOUNT);
    await slices.plan([btcSlice('bl-over1', { type: 'limit', qty: 0.002, price: 30_000 })]);
    await client.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 30_000, { clientOrderId: 'bl-over1' });
    await slices.update('bl-over1', {
      status: 'rejected',
      detail: 'send failed; not found after recvWindow',
    });
    const config = simReconConfig(fixture, ACCOUNT);
    const reconciler = buildReconciler(simReconDeps(fixture, bus, config), buildVenue(config));

    // Known by its client id, it was no drift at all: it rested, free to fill, in no book of ours and in
    // no room of risk's, and each fill would have opened a position nothing had decided.
    const report = await reconciler.run();
    expect(report.drifts).toEqual([
      expect.objectContaining({
        drift: expect.objectContaining({ kind: 'unknown_order', action: 'cancel' }),
        outcome: 'applied',
      }),
    ]);
    expect(report.drifts[0]?.drift.evidence).toMatch(/bl-over1 .*recorded rejected/);
    expect(report.status).toBe('reconciled');
    expect(await client.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect(await slices.get('bl-over1')).toMatchObject({ status: 'rejected', filledQty: 0 });
    expect((await reconciler.run()).outcome).toBe('clean');
  });
});
