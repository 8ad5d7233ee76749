import { NatsBus } from '@ballast/bus';
import { type Alert, type Envelope, type ReconEvent, Subjects, subject } from '@ballast/contracts';
import { stopOrderId } from '@ballast/core';
import { ProtectiveStopRepository } from '@ballast/db';
import type { SimAccount as VenueAccount } from '@ballast/exchange-sim/testing';
import { marketCommand, natsUrl, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StopView } from './ledger-reader';
import { buildReconciler, buildVenue } from './service';
import {
  beforeFirstTradeRead,
  type SimRecon,
  simClient,
  simReconConfig,
  simReconDeps,
  simSlices,
  startSimRecon,
  venueWith,
} from './testing/sim-recon';

// Protective stops of ours on the venue, against the stops service's records: each account on a
// simulator of its own, the orders service beside reconciliation, stops resting on the venue.
const ACCOUNT = { apiKey: 'recon-stops-key', secret: 'recon-stops-secret' };
const STOPS_ON_VENUE = { RECON_STOPS_ON_VENUE: 'true' };
const clock = { now: () => Date.now() };
const KEY = { positionId: 'binance:BTC-USDT', exchange: 'binance', symbol: 'BTC-USDT' };

function ownAccount(
  label: string,
  account: Omit<VenueAccount, 'apiKey' | 'secret'>,
  config: Record<string, string> = STOPS_ON_VENUE,
): () => SimRecon {
  let recon: SimRecon | undefined;
  beforeAll(async () => {
    recon = await startSimRecon(label, { ...ACCOUNT, ...account }, { config });
  }, 240_000);
  afterAll(async () => {
    await recon?.[Symbol.asyncDispose]();
  });
  return () => {
    if (!recon) throw new Error(`${label}: not started`);
    return recon;
  };
}

async function alertsOf(recon: SimRecon, durable: string): Promise<Alert[]> {
  const alerts: Alert[] = [];
  await recon.fixture.bus.subscribe(
    subject(Subjects.alert, {}),
    (m: Envelope<Alert>) => void alerts.push(m.payload),
    { durable },
  );
  return alerts;
}

/** A bus as reconciliation's own, for a reconciler built on a wrapped venue. */
const serviceBus = async (recon: SimRecon) =>
  NatsBus.connect({
    servers: await natsUrl(),
    prefix: recon.fixture.prefix,
    source: 'reconciliation',
    clock,
  });

describe('a stop the stops service moves while a run reads the venue', { timeout: 180_000 }, () => {
  const account = ownAccount('recon_stop_trail', { balances: { USDT: '10000', BTC: '0.003' } });

  it('is neither adopted as an order nor reported missing', async () => {
    const recon = account();
    const stops = new ProtectiveStopRepository(recon.fixture.handle.db, clock, StopView);
    const ex = simClient(recon.fixture, ACCOUNT);
    const [first, next] = [stopOrderId('bl-', KEY.positionId, 1), stopOrderId('bl-', KEY.positionId, 2)];
    await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.003, 90_000, { clientOrderId: first });
    await stops.save(KEY, 'active', { ...KEY, qty: 0.003, stopPrice: 40_000, clientOrderId: first });
    await waitFor(async () => (await recon.reconciler.run()).status === 'reconciled', 'the position set');
    expect((await recon.reconciler.run()).outcome).toBe('clean');
    const alerts = await alertsOf(recon, 'test-alert-trail');
    const config = simReconConfig(recon.fixture, ACCOUNT, STOPS_ON_VENUE);
    const bus = await serviceBus(recon);
    // The trail, between our read of the stop records and the venue's open orders: cancel, place, save.
    const venue = beforeFirstTradeRead(config, async () => {
      recon.fixture.sim.tamper.cancelOrder('BTCUSDT', first);
      await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.003, 91_000, { clientOrderId: next });
      await stops.save(KEY, 'active', { ...KEY, qty: 0.003, stopPrice: 41_000, clientOrderId: next });
    });
    const report = await buildReconciler(simReconDeps(recon.fixture, bus, config), venue).run();
    await bus.drain();
    expect(report.drifts.map((d) => d.drift.kind)).toEqual([]);
    expect(report.status).toBe('reconciled');
    expect(await simSlices(recon.fixture).get(next)).toBeUndefined();
    expect((await recon.reconciler.run()).outcome).toBe('clean');
    expect(alerts.filter((a) => a.kind.startsWith('recon_'))).toEqual([]);
  });
});

describe('a stop of ours no record names, in a market with no position', { timeout: 180_000 }, () => {
  const account = ownAccount('recon_stop_orphan', { balances: { USDT: '10000' } });

  it('is flagged when first found, cancelled when the next run finds it again, with a critical alert, never adopted', async () => {
    const recon = account();
    const alerts = await alertsOf(recon, 'test-alert-orphan');
    const orphan = stopOrderId('bl-', KEY.positionId, 7);
    const ex = simClient(recon.fixture, ACCOUNT);
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30_000, { clientOrderId: orphan });
    const first = await recon.reconciler.run();
    expect(first.drifts.map((d) => [d.drift.kind, d.drift.action, d.outcome])).toEqual([
      ['orphan_stop', 'flag', 'noted'],
    ]);
    expect(first.status).toBe('unreconciled');
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual([orphan]);
    await waitFor(() => alerts.some((a) => a.kind === 'recon_orphan_stop'), 'the orphan stop flagged');
    // Found again, its cancel fails: alerted as cancelled (failing), tried again next run.
    const config = simReconConfig(recon.fixture, ACCOUNT, STOPS_ON_VENUE);
    const bus = await serviceBus(recon);
    const refusing = venueWith(config, () => ({ cancel: () => Promise.reject(new Error('venue down')) }));
    const failing = await buildReconciler(simReconDeps(recon.fixture, bus, config), refusing)
      .run()
      .finally(() => bus.drain());
    expect(failing.drifts.map((d) => [d.drift.kind, d.drift.action, d.outcome])).toEqual([
      ['orphan_stop', 'cancel', 'failed'],
    ]);
    await waitFor(
      () => alerts.filter((a) => a.kind === 'recon_orphan_stop').length === 2,
      'the failed cancel alerted',
    );
    expect(alerts.at(-1)?.message).toContain('the cancel failed');
    const report = await recon.reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.drift.action, d.outcome])).toEqual([
      ['orphan_stop', 'cancel', 'applied'],
    ]);
    expect(report.status).toBe('reconciled');
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual([]);
    expect(await simSlices(recon.fixture).get(orphan)).toBeUndefined();
    await waitFor(() => alerts.some((a) => a.kind === 'recon_orphan_stop'), 'the orphan stop alert');
    expect(alerts.find((a) => a.kind === 'recon_orphan_stop')?.severity).toBe('critical');
  });
});

describe('a position its stops do not cover', { timeout: 180_000 }, () => {
  const account = ownAccount('recon_stop_cover', { balances: { USDT: '10000', BTC: '0.003' } });

  it('is reported to the stops service: unrecorded while no record names it, short while its stop rests for less', async () => {
    const recon = account();
    const events: ReconEvent[] = [];
    await recon.fixture.bus.subscribe(
      subject(Subjects.reconEvent, {}),
      (m: Envelope<ReconEvent>) => void events.push(m.payload),
      { durable: 'test-recon-cover' },
    );
    const missing = () => events.filter((e) => e.kind === 'missing_stop').map((e) => e.before);
    const stops = new ProtectiveStopRepository(recon.fixture.handle.db, clock, StopView);
    const ex = simClient(recon.fixture, ACCOUNT);
    // The first run set the position to the account's 0.003 BTC; no stop record names it.
    const unrecorded = await waitFor(async () => {
      const report = await recon.reconciler.run();
      return report.drifts.some((d) => d.drift.kind === 'missing_stop') ? report : undefined;
    }, 'the position held without a stop record');
    expect(unrecorded.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([['missing_stop', 'noted']]);
    expect(unrecorded.status).toBe('unreconciled');
    await waitFor(() => missing().length > 0, 'the unrecorded position on the bus');
    expect(missing()[0]).toEqual({
      positionId: KEY.positionId,
      clientOrderId: null,
      coverage: 'unrecorded',
      positionQty: 0.003,
    });
    // Its stop rests, for 0.002 of the 0.003 held.
    const [first, next] = [stopOrderId('bl-', KEY.positionId, 1), stopOrderId('bl-', KEY.positionId, 2)];
    await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.002, 90_000, { clientOrderId: first });
    await stops.save(KEY, 'active', { ...KEY, qty: 0.002, stopPrice: 40_000, clientOrderId: first });
    const seen = missing().length;
    const short = await recon.reconciler.run();
    expect(short.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([['missing_stop', 'noted']]);
    expect(short.status).toBe('unreconciled');
    await waitFor(() => missing().length > seen, 'the short stop on the bus');
    expect(missing().slice(seen)).toEqual([
      {
        positionId: KEY.positionId,
        clientOrderId: first,
        coverage: 'short',
        positionQty: 0.003,
      },
    ]);
    // While a take-profit sells (or a move waits) the record says so: short on purpose, no drift.
    const selling = {
      ...KEY,
      qty: 0.002,
      stopPrice: 40_000,
      clientOrderId: first,
      takeProfit: { qty: 0.001 },
    };
    await stops.save(KEY, 'active', selling);
    expect((await recon.reconciler.run()).outcome).toBe('clean');
    // The stops service moves it onto the whole position: covered.
    recon.fixture.sim.tamper.cancelOrder('BTCUSDT', first);
    await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.003, 90_000, { clientOrderId: next });
    await stops.save(KEY, 'active', { ...KEY, qty: 0.003, stopPrice: 40_000, clientOrderId: next });
    expect((await recon.reconciler.run()).outcome).toBe('clean');
    expect(missing()).toHaveLength(seen + 1);
  });
});

describe('a position whose stop record is saved while a run reads the venue', { timeout: 180_000 }, () => {
  const account = ownAccount('recon_stop_race', { balances: { USDT: '10000', BTC: '0.003' } });

  it('is not reported unrecorded, nor its new stop orphaned', async () => {
    const recon = account();
    const stops = new ProtectiveStopRepository(recon.fixture.handle.db, clock, StopView);
    const ex = simClient(recon.fixture, ACCOUNT);
    const stop = stopOrderId('bl-', KEY.positionId, 1);
    await waitFor(async () => {
      const report = await recon.reconciler.run();
      return report.drifts.some((d) => d.drift.kind === 'missing_stop');
    }, 'the position held without a stop record');
    const config = simReconConfig(recon.fixture, ACCOUNT, STOPS_ON_VENUE);
    const bus = await serviceBus(recon);
    // The stops service protects the position between our read of the stop records and the venue's.
    const venue = beforeFirstTradeRead(config, async () => {
      await ex.createOrder('BTC/USDT', 'limit', 'sell', 0.003, 90_000, { clientOrderId: stop });
      await stops.save(KEY, 'active', { ...KEY, qty: 0.003, stopPrice: 40_000, clientOrderId: stop });
    });
    const report = await buildReconciler(simReconDeps(recon.fixture, bus, config), venue)
      .run()
      .finally(() => bus.drain());
    expect(report.drifts.map((d) => d.drift.kind)).toEqual([]);
    expect(report.status).toBe('reconciled');
    expect((await recon.reconciler.run()).outcome).toBe('clean');
  });
});

describe('a position an entry filled moments ago, its stop record not saved yet', {
  timeout: 180_000,
}, () => {
  const GRACE = { ...STOPS_ON_VENUE, RECON_IN_FLIGHT_GRACE_MS: '600000' };
  const account = ownAccount('recon_stop_settling', { balances: { USDT: '10000' } }, GRACE);

  it('is left to the next run within the in-flight grace, reported unrecorded after it', async () => {
    const recon = account();
    expect(recon.first.status).toBe('reconciled');
    // The orders service fills the entry; the stops service, which would save its record, is not running.
    await recon.fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('entry-1', 'buy', 0.001),
    );
    await waitFor(
      async () => (await simSlices(recon.fixture).get('bl-entry-1'))?.status === 'filled',
      'the entry filled',
    );
    const settling = await recon.reconciler.run();
    expect(settling.drifts.map((d) => d.drift.kind)).toEqual([]);
    expect(settling.status).toBe('reconciled');
    // Past the grace (none), the same books hold a position no stop record names.
    const config = simReconConfig(recon.fixture, ACCOUNT, { ...GRACE, RECON_IN_FLIGHT_GRACE_MS: '0' });
    const bus = await serviceBus(recon);
    const late = await buildReconciler(simReconDeps(recon.fixture, bus, config), buildVenue(config))
      .run()
      .finally(() => bus.drain());
    expect(late.drifts.map((d) => [d.drift.kind, d.drift.action])).toEqual([
      ['missing_stop', 'replace_stop'],
    ]);
    expect(late.status).toBe('unreconciled');
  });
});
