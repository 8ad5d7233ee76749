import { stopOrderId } from '@ballast/core';
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

describe('a protective stop no record names, with no client id prefix configured', {
  timeout: 120_000,
}, () => {
  it('is an orphan stop, flagged when first seen, never cancelled blind as an external order', async () => {
    const { fixture, bus } = sim;
    const client = simClient(fixture, ACCOUNT);
    // The stops service names its stops `s<derived id>` under the prefix, an empty one too.
    const stop = stopOrderId('', 'binance:BTC-USDT', 1);
    await client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30_000, { clientOrderId: stop });
    const config = simReconConfig(fixture, ACCOUNT, {
      CLIENT_ID_PREFIX: '',
      RECON_EXTERNAL_ORDERS: 'cancel',
    });
    const reconciler = buildReconciler(simReconDeps(fixture, bus, config), buildVenue(config));

    // Read as an order placed outside Ballast, it was cancelled at first sight, whatever it protected.
    const report = await reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.drift.action])).toEqual([['orphan_stop', 'flag']]);
    expect((await client.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual([stop]);
    // Found again with nothing to protect: cancelled, as under a prefix.
    expect((await reconciler.run()).drifts.map((d) => [d.drift.kind, d.drift.action])).toEqual([
      ['orphan_stop', 'cancel'],
    ]);
    expect(await client.fetchOpenOrders('BTC/USDT')).toEqual([]);
  });
});
