import { NatsBus } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type Envelope,
  type OrderEvent,
  pattern,
  type ReconEvent,
  type ReconStatus,
  Subjects,
  subject,
} from '@ballast/contracts';
import { ProtectiveStopRepository, ReconRepository } from '@ballast/db';
import { btcSlice } from '@ballast/db/testing';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, natsUrl, type ServiceProcess, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldPositions, StopView } from './ledger-reader';
import type { Reconciler } from './reconciler';
import { buildReconciler, buildVenue, KeySafetyError, startReconciliation } from './service';
import {
  forgetBaseline,
  simClient,
  simReconConfig,
  simReconDeps,
  simSlices,
  startSimOrdersProcess,
  venueWith,
} from './testing/sim-recon';

// The simulator's book is binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json and its
// filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (BTCUSDT step 0.00001).
// The orders service runs beside the reconciler as its own process: it records the fills
// reconciliation finds (the one writer of fills). Its order loop is idle (TICK_MS one hour), so the
// drifts the tests inject are found by reconciliation, not by the order manager's own polling.
const ACCOUNT = { apiKey: 'recon-key', secret: 'recon-secret' };
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
let serviceBus: NatsBus;
let reconciler: Reconciler;
let service: AsyncDisposable;
let orders: ServiceProcess;
const registry = new Registry();
const events: ReconEvent[] = [];
const statuses: ReconStatus[] = [];
const orderEvents: OrderEvent[] = [];
const positions: Array<{ symbol: string; qty: number }> = [];
const alerts: Alert[] = [];

// No stops service runs here: the positions these tests make have no stop records, so stops are
// judged only where a test says so (stopsConfig).
const config = (overrides: Record<string, string> = {}) => simReconConfig(fixture, ACCOUNT, overrides);
const stopsConfig = () => config({ RECON_STOPS_ON_VENUE: 'true' });
const client = () => simClient(fixture, ACCOUNT);
const slices = () => simSlices(fixture);

/** An order as the order manager records it: planned, sent, the venue's answer stored. */
async function placeOurs(clientOrderId: string, side: 'buy' | 'sell', qty: number, price: number) {
  await slices().plan([btcSlice(clientOrderId, { side, type: 'limit', qty, price })]);
  const placed = await client().createOrder('BTC/USDT', 'limit', side, qty, price, { clientOrderId });
  await slices().update(clientOrderId, { status: 'open', venueOrderId: String(placed.id) });
}

type VenueView = { BTC: number; USDT: number; open: string[]; tradeIds: string[] };
async function venueView(): Promise<VenueView> {
  const ex = client();
  const balance = (await ex.fetchBalance()) as unknown as { total: Record<string, number> };
  return {
    BTC: balance.total.BTC ?? 0,
    USDT: balance.total.USDT ?? 0,
    open: (await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId ?? '').sort(),
    tradeIds: (await ex.fetchMyTrades('BTC/USDT', undefined, 1000, { fromId: 0 }))
      .map((t) => String(t.id))
      .sort(),
  };
}

async function ourView() {
  const all = (await slices().all()).filter((s) => s.exchange === 'binance');
  return {
    BTC: Number((foldPositions(all).get('BTC-USDT')?.qty ?? 0).toFixed(8)),
    open: all
      .filter((s) => s.status === 'open')
      .map((s) => s.clientOrderId)
      .sort(),
    tradeIds: all
      .flatMap((s) => (s.fills as Array<{ tradeId: string }>).map((f) => f.tradeId))
      .filter((id) => !id.startsWith('recon-adj'))
      .sort(),
  };
}

const logEntries = () => new ReconRepository(fixture.handle.db, clock).entries('binance');

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'recon_sim',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(
    subject(Subjects.reconEvent, {}),
    (m: Envelope<ReconEvent>) => void events.push(m.payload),
    {
      durable: 'test-recon-event',
    },
  );
  await fixture.bus.subscribe(
    pattern(Subjects.reconStatus),
    (m: Envelope<ReconStatus>) => void statuses.push(m.payload),
    {
      durable: 'test-recon-status',
    },
  );
  await fixture.bus.subscribe(
    subject(Subjects.orderEvent, {}),
    (m: Envelope<OrderEvent>) => void orderEvents.push(m.payload),
    {
      durable: 'test-ord-event',
    },
  );
  await fixture.bus.subscribe(
    subject(Subjects.positionEvent, {}),
    (m) => void positions.push({ symbol: m.payload.symbol, qty: m.payload.qty }),
    { durable: 'test-pos-event' },
  );
  await fixture.bus.subscribe(
    subject(Subjects.alert, {}),
    (m: Envelope<Alert>) => void alerts.push(m.payload),
    {
      durable: 'test-alert',
    },
  );
  orders = await startSimOrdersProcess(fixture, ACCOUNT);
  serviceBus = await NatsBus.connect({
    servers: await natsUrl(),
    prefix: fixture.prefix,
    source: 'reconciliation',
    clock,
  });
  const started = await startReconciliation({
    ...simReconDeps(fixture, serviceBus, config()),
    metrics: registry,
  });
  reconciler = started.reconciler;
  service = started;
  expect(started.first).toMatchObject({ outcome: 'clean', status: 'reconciled', drifts: [] });
}, 240_000);

afterAll(async () => {
  await service?.[Symbol.asyncDispose]();
  await orders?.stop(5_000);
  await serviceBus?.drain();
  await fixture?.close();
});

async function expectEqualToVenue(): Promise<void> {
  const [venue, ours] = [await venueView(), await ourView()];
  expect(ours.BTC).toBe(venue.BTC);
  expect(ours.tradeIds).toEqual(venue.tradeIds);
  // Our open orders are a subset of the venue's (external orders left alone are not ours).
  for (const id of ours.open) expect(venue.open).toContain(id);
}

describe('reconciliation against the simulator', { timeout: 120_000 }, () => {
  it('publishes reconciled and a clean event after the first run on an agreeing account', async () => {
    await waitFor(() => statuses.some((s) => s.status === 'reconciled'), 'a reconciled status', {
      timeoutMs: 30_000,
    });
    expect(events.map((e) => e.kind)).toContain('clean');
  });

  it('ingests a fill made while we were not looking, once, and follows the order to filled', async () => {
    await placeOurs('bl-fill1', 'buy', 0.002, 30_000);
    await fixture.sim.tamper.fillSilently('BTCUSDT', 'bl-fill1');
    const before = events.length;
    const report = await reconciler.run();
    expect(report.outcome).toBe('repaired');
    expect(report.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([
      ['missing_fill', 'applied'],
      ['order_state', 'applied'],
    ]);
    const slice = await slices().get('bl-fill1');
    expect(slice).toMatchObject({ status: 'filled', filledQty: 0.002, avgPrice: 30_000 });
    expect(slice?.fills).toHaveLength(1);
    await waitFor(() => events.length >= before + 2, 'two recon events');
    expect(events.slice(before).map((e) => e.kind)).toEqual(['missing_fill', 'order_state']);
    await waitFor(
      () => orderEvents.some((e) => e.clientOrderId === 'bl-fill1' && e.fill !== null),
      'the fill event',
    );
    await waitFor(() => positions.some((p) => p.qty === 0.002), 'the position event');
    expect((await reconciler.run()).outcome).toBe('clean');
    expect((await slices().get('bl-fill1'))?.fills).toHaveLength(1);
    await expectEqualToVenue();
  });

  it('adopts an unknown order carrying our prefix and leaves an external one alone, reporting it once', async () => {
    await client().createOrder('BTC/USDT', 'limit', 'buy', 0.001, 25_000, { clientOrderId: 'bl-lost1' });
    fixture.sim.tamper.addExternalOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      quantity: '0.001',
      price: '20000',
      clientOrderId: 'web_1',
    });
    const report = await reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.drift.action, d.outcome])).toEqual([
      ['unknown_order', 'adopt', 'applied'],
      ['unknown_order', 'leave', 'applied'],
    ]);
    expect(await slices().get('bl-lost1')).toMatchObject({ status: 'open', qty: 0.001, price: 25_000 });
    expect(await slices().get('web_1')).toBeUndefined();
    expect((await reconciler.run()).outcome).toBe('clean');
    expect((await venueView()).open).toEqual(['bl-lost1', 'web_1']);
    await expectEqualToVenue();
  });

  it('follows the venue when an order we hold open was cancelled by hand', async () => {
    fixture.sim.tamper.cancelOrder('BTCUSDT', 'bl-lost1');
    const report = await reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.drift.key])).toEqual([
      ['order_state', 'state:bl-lost1:cancelled'],
    ]);
    expect((await slices().get('bl-lost1'))?.status).toBe('cancelled');
    await waitFor(
      () => orderEvents.some((e) => e.clientOrderId === 'bl-lost1' && e.status === 'cancelled'),
      'cancelled',
    );
    await expectEqualToVenue();
  });

  /** A run that finds 0.001 BTC deposited: noted for the operator, never set as a position. */
  async function expectDepositNoted(by: Reconciler, tolerance: string): Promise<void> {
    const report = await by.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([
      ['position_unexplained', 'noted'],
      ['balance', 'noted'],
    ]);
    expect(report.drifts[1]?.drift.evidence).toBe(
      `BTC: expected 0.002, the venue holds 0.003 (difference 0.001, tolerance ${tolerance})`,
    );
    expect(report).toMatchObject({ outcome: 'unreconciled', status: 'unreconciled' });
  }

  /** Nothing was booked; the operator moves the coins back out and the account agrees with our books. */
  async function expectDepositWithdrawn(by: Reconciler): Promise<void> {
    expect((await ourView()).BTC).toBe(0.002);
    expect((await slices().all()).filter((s) => s.clientOrderId.startsWith('recon-adj-'))).toEqual([]);
    fixture.sim.tamper.moveBalance('BTC', '-0.001');
    expect((await by.run()).outcome).toBe('clean');
    await expectEqualToVenue();
  }

  it('never makes deposited coins a position: flagged for the operator, unreconciled, until they are accounted for', async () => {
    fixture.sim.tamper.moveBalance('BTC', '0.001');
    // Found again on the second run: the BTC baseline stays where our trades put it.
    await expectDepositNoted(reconciler, '0.000001');
    await expectDepositNoted(reconciler, '0.000001');
    await waitFor(
      () => alerts.some((a) => a.kind === 'recon_balance_unexplained' && a.severity === 'critical'),
      'the critical alert',
    );
    await expectDepositWithdrawn(reconciler);
  });

  it('flags deposited coins under a RECON_BALANCE_TOLERANCE set above the lot step (for quote dust): a base asset is tolerated one step at most', async () => {
    const dustTolerant = buildReconciler(
      simReconDeps(fixture, serviceBus, config({ RECON_BALANCE_TOLERANCE: '0.01' })),
      buildVenue(config()),
    );
    fixture.sim.tamper.moveBalance('BTC', '0.001');
    await expectDepositNoted(dustTolerant, '0.00001');
    await expectDepositWithdrawn(dustTolerant);
  });

  it('adjusts a position by whole lot steps: a difference of two folds carries no binary noise into the record', async () => {
    const adjustments = async () =>
      (await slices().all()).filter((s) => s.clientOrderId.startsWith('recon-adj-'));
    const before = new Set((await adjustments()).map((s) => s.clientOrderId));
    const start = (await venueView()).BTC;
    // 0.0021 - 0.002 is 0.00009999999999999983 in binary: the venue holds 10 lot steps more. With no
    // baseline (a first run) nothing flags the balance, so the position is set, loudly.
    fixture.sim.tamper.moveBalance('BTC', '0.0001');
    await forgetBaseline(fixture);
    const report = await reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([['position_qty', 'applied']]);
    expect(report.outcome).toBe('repaired');
    await waitFor(() => positions.some((p) => p.qty === 0.0021), 'the position set to 0.0021');
    const made = (await adjustments()).filter((s) => !before.has(s.clientOrderId));
    expect(made.map((s) => [s.side, s.qty, (s.fills as Array<{ qty: number }>).map((f) => f.qty)])).toEqual([
      ['buy', 0.0001, [0.0001]],
    ]);
    await waitFor(
      () => alerts.some((a) => a.kind === 'recon_position_set' && a.message.includes('off by 0.0001;')),
      'the alert naming 0.0001',
    );
    expect((await reconciler.run()).outcome).toBe('clean');
    expect((await ourView()).BTC).toBe(Number((start + 0.0001).toFixed(8)));
    await expectEqualToVenue();
  });

  it('reports 500 USDT gone unexplained as a flagged run, never clean, with one critical alert naming the amount', async () => {
    const recon = new ReconRepository(fixture.handle.db, clock);
    const lastClean = () => registry.getSingleMetricAsString('ballast_recon_last_clean_timestamp_seconds');
    const flaggedRuns = async () =>
      (await registry.getSingleMetric('ballast_recon_runs_total')?.get())?.values.find(
        (v) => v.labels.outcome === 'flagged',
      )?.value ?? 0;
    const [cleanAt, cleanGauge, flagged] = [
      (await recon.state('binance'))?.lastCleanAt,
      await lastClean(),
      await flaggedRuns(),
    ];
    fixture.sim.tamper.moveBalance('USDT', '-500');
    // The first run sees the drop, then loses the venue before its second read: the next run finds
    // the same difference again.
    let reads = 0;
    const venue = venueWith(config(), (base) => ({
      async balances() {
        if (++reads === 2) throw new Error('venue unreachable');
        return base.balances();
      },
    }));
    const lost = await buildReconciler(simReconDeps(fixture, serviceBus, config()), venue).run();
    expect([lost.outcome, reads]).toEqual(['unknown', 2]);
    const drops = () => alerts.filter((a) => a.kind === 'recon_balance_drop');
    await waitFor(() => drops().length > 0, 'the balance drop alert');

    const report = await reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([['balance', 'noted']]);
    expect(report).toMatchObject({ outcome: 'flagged', status: 'reconciled' });
    expect(report.detail).toMatch(/flagged, not repaired: USDT: expected \d+(\.\d+)?, the venue holds/);
    expect(await flaggedRuns()).toBe(flagged + 1);
    expect([(await recon.state('binance'))?.lastCleanAt, await lastClean()]).toEqual([cleanAt, cleanGauge]);
    await waitFor(() => statuses.at(-1)?.detail === report.detail, 'the flagged status on the bus');

    expect((await reconciler.run()).outcome).toBe('clean');
    // The flagged status was published after any alert of its run: a second one would be here by now.
    expect(drops()).toEqual([
      {
        severity: 'critical',
        kind: 'recon_balance_drop',
        message: expect.stringMatching(
          /^binance: 500 USDT left the account unexplained by our trades and fees/,
        ),
        labels: { service: 'reconciliation', exchange: 'binance', asset: 'USDT' },
      },
    ]);
  });

  it('sends a balance-drop alert whose publish failed on the next run, once', async () => {
    fixture.sim.tamper.moveBalance('USDT', '-300');
    // The bus refuses the first balance-drop alert (a NATS blip in the middle of the run).
    let refused = 0;
    const flaky = new Proxy(serviceBus, {
      get(target, key) {
        if (key === 'publish')
          return (async (...args: Parameters<typeof serviceBus.publish>) => {
            if (refused === 0 && (args[1] as Alert | undefined)?.kind === 'recon_balance_drop') {
              refused++;
              throw new Error('bus unreachable (test)');
            }
            return target.publish(...args);
          }) as typeof serviceBus.publish;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await buildReconciler(simReconDeps(fixture, flaky, config()), buildVenue(config())).run();
    expect(refused).toBe(1);
    const drops = () =>
      alerts.filter((a) => a.kind === 'recon_balance_drop' && a.message.includes(' 300 USDT'));
    expect((await reconciler.run()).outcome).toBe('flagged');
    await waitFor(() => drops().length > 0, 'the balance drop alert sent by the next run');
    expect((await reconciler.run()).outcome).toBe('clean');
    expect(drops()).toHaveLength(1);
  });

  it('reports an open position without its stop on the venue and stays unreconciled until it is back', async () => {
    const stops = new ProtectiveStopRepository(fixture.handle.db, clock, StopView);
    const key = { positionId: 'binance:BTC-USDT', exchange: 'binance', symbol: 'BTC-USDT' };
    // The whole position held is protected: a smaller stop would be reported short.
    const qty = (await ourView()).BTC;
    await stops.save(key, 'active', { ...key, qty, stopPrice: 40_000, clientOrderId: 'bl-stop1' });
    const withStops = buildReconciler(
      simReconDeps(fixture, serviceBus, stopsConfig()),
      buildVenue(stopsConfig()),
    );
    const report = await withStops.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([['missing_stop', 'noted']]);
    expect(report.status).toBe('unreconciled');
    await waitFor(() => statuses.at(-1)?.status === 'unreconciled', 'unreconciled on the bus');
    // The stop manager re-places it (a resting sell under the stop's client id stands in for it here).
    await client().createOrder('BTC/USDT', 'limit', 'sell', qty, 90_000, { clientOrderId: 'bl-stop1' });
    expect((await withStops.run()).status).toBe('reconciled');
    await stops.save(key, 'closed', { ...key, qty, stopPrice: 40_000, clientOrderId: 'bl-stop1' });
    fixture.sim.tamper.cancelOrder('BTCUSDT', 'bl-stop1');
  });

  it('counts an order caught mid-send exactly once: looked up by client id, never assumed rejected', async () => {
    await slices().plan([btcSlice('bl-inflight')]);
    await slices().update('bl-inflight', { status: 'sending' });
    const awaiting = await reconciler.run();
    expect(awaiting.drifts.map((d) => [d.drift.kind, d.drift.action])).toEqual([
      ['order_state', 'await_venue'],
    ]);
    expect((await slices().get('bl-inflight'))?.status).toBe('sending');
    // The venue answers after all: the order was placed and filled.
    await client().createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
      clientOrderId: 'bl-inflight',
    });
    const report = await reconciler.run();
    expect(report.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual(
      expect.arrayContaining([
        ['missing_fill', 'applied'],
        ['order_state', 'applied'],
      ]),
    );
    const slice = await slices().get('bl-inflight');
    expect(slice?.status).toBe('filled');
    expect(slice?.filledQty).toBe(0.001);
    expect((await reconciler.run()).outcome).toBe('clean');
    await expectEqualToVenue();
  });

  it('makes no correction while the venue is unreachable, reports unknown, and repairs once it is back', async () => {
    await placeOurs('bl-down1', 'buy', 0.001, 30_000);
    await fixture.sim.tamper.fillSilently('BTCUSDT', 'bl-down1');
    fixture.sim.tamper.unreachable(600_000);
    const logged = (await logEntries()).length;
    const down = await reconciler.run();
    expect(down).toMatchObject({ outcome: 'unknown', status: 'unknown', drifts: [] });
    expect((await logEntries()).length).toBe(logged);
    await waitFor(() => statuses.at(-1)?.status === 'unknown', 'unknown on the bus');
    fixture.sim.tamper.unreachable(0);
    const back = await reconciler.run();
    expect(back.drifts.map((d) => d.drift.kind)).toEqual(['missing_fill', 'order_state']);
    expect(back.status).toBe('reconciled');
    await expectEqualToVenue();
    const metrics = await registry.getSingleMetricAsString('ballast_recon_runs_total');
    expect(metrics).toContain('ballast_recon_runs_total{venue="binance",outcome="unknown"} 1');
  });

  it("counts a fill once when the order manager and reconciliation see it together; its tally includes reconciliation's fills", async () => {
    await placeOurs('bl-race', 'buy', 0.001, 30_000);
    await fixture.sim.tamper.fillSilently('BTCUSDT', 'bl-race');
    const seen = positions.length;
    // A submit wakes the order loop, which polls every open order (bl-race among them) while a run
    // finds the same trade missing: both reach the orders service, which records it once.
    const [report] = await Promise.all([
      reconciler.run(),
      fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('tally-1', 'buy', 0.001)),
    ]);
    expect(report.drifts.every((d) => d.outcome !== 'failed')).toBe(true);
    await waitFor(async () => (await slices().get('bl-tally-1'))?.status === 'filled', 'the submit filled');
    await waitFor(async () => (await reconciler.run()).outcome === 'clean', 'a clean run', {
      timeoutMs: 60_000,
    });
    expect((await slices().get('bl-race'))?.fills).toHaveLength(1);
    await expectEqualToVenue();
    // The order manager's running tally (never restarted) adds up every fill, reconciliation's too.
    const venueBtc = (await venueView()).BTC;
    await waitFor(
      () => positions.slice(seen).some((p) => p.qty === venueBtc),
      'a position event at the venue quantity',
    );
    expect(Number(positions.at(-1)?.qty.toFixed(8))).toBe(venueBtc);
  });
});

describe('markets that move one asset balance', { timeout: 60_000 }, () => {
  it("corrects nothing while our orders trade a market sharing a reconciled market's base asset", async () => {
    // BTC-USDT is reconciled; an order of ours on BTC-USDC moves the same BTC balance.
    await slices().plan([btcSlice('bl-usdc', { symbol: 'BTC-USDC' })]);
    // The simulator lists no BTC-USDC market: read here as a venue that has it, with no trades yet.
    const venue = venueWith(config(), (base) => ({
      tradesSince: (symbol, cursor) =>
        symbol === 'BTC-USDC' ? Promise.resolve({ trades: [], cursor }) : base.tradesSince(symbol, cursor),
      orderBook: (symbol, limit) => base.orderBook(symbol === 'BTC-USDC' ? 'BTC-USDT' : symbol, limit),
      marketRules: (symbol) => base.marketRules(symbol === 'BTC-USDC' ? 'BTC-USDT' : symbol),
    }));
    const withUsdc = buildReconciler(simReconDeps(fixture, serviceBus, config()), venue);
    const adjustments = async () =>
      (await slices().all()).filter((s) => s.clientOrderId.startsWith('recon-adj-')).length;
    try {
      const [logged, adjusted] = [(await logEntries()).length, await adjustments()];
      const report = await withUsdc.run();
      expect(report).toMatchObject({ outcome: 'unknown', status: 'unknown', drifts: [] });
      expect(report.detail).toMatch(/^BTC-USDC, BTC-USDT all move the one BTC balance of a spot account/);
      await waitFor(() => statuses.at(-1)?.detail === report.detail, 'the reason on the bus');
      expect((await logEntries()).length).toBe(logged);
      expect(await adjustments()).toBe(adjusted);
      expect((await ourView()).BTC).toBe((await venueView()).BTC);
    } finally {
      await fixture.handle.db.deleteFrom('order_slices').where('client_order_id', '=', 'bl-usdc').execute();
    }
    expect((await reconciler.run()).outcome).toBe('clean');
  });
});

describe('key safety', { timeout: 60_000 }, () => {
  it('refuses a live start with a withdrawal-enabled key, and starts with a recorded override', async () => {
    fixture.sim.tamper.setWithdrawals(true);
    const seen = statuses.length;
    const refused = startReconciliation(simReconDeps(fixture, serviceBus, config({ RECON_LIVE: 'true' })));
    await expect(refused).rejects.toBeInstanceOf(KeySafetyError);
    await expect(refused).rejects.toThrow(/allows withdrawals: live trading refuses to start/);
    // The running service holds the venue's lock: the refused process does not call the venue unknown.
    await fixture.bus.publish(subject(Subjects.reconRequest, {}), { venue: 'binance', requestedBy: 'test' });
    await waitFor(() => statuses.length > seen, "the running service's status");
    expect(statuses.slice(seen).map((s) => s.status)).toEqual(['reconciled']);
    const started = await startReconciliation(
      simReconDeps(
        fixture,
        serviceBus,
        config({ RECON_LIVE: 'true', RECON_WITHDRAWAL_OVERRIDE: 'sub-account without funds' }),
      ),
    );
    await started[Symbol.asyncDispose]();
    const keyLog = (await logEntries()).filter((e) => e.kind === 'key_safety').map((e) => e.action);
    expect(keyLog).toEqual(['refuse', 'override']);
    fixture.sim.tamper.setWithdrawals(false);
  });
});
