import { NatsBus } from '@ballast/bus';
import { type Alert, type Clock, type Envelope, Subjects, subject } from '@ballast/contracts';
import { ReconRepository } from '@ballast/db';
import { btcSlice } from '@ballast/db/testing';
import type { OrderVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, natsUrl, type ServiceProcess, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldPositions } from './ledger-reader';
import type { RunReport } from './reconciler';
import { buildReconciler, buildVenue } from './service';
import {
  beforeFirstTradeRead,
  forgetBaseline,
  simClient,
  simReconConfig,
  simReconDeps,
  simSlices,
  startSimOrdersProcess,
  venueWith,
} from './testing/sim-recon';

// Runs that race the orders service and the venue: each test wraps the venue the reconciler reads to
// act at one moment of a run. The simulator's book is binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// and its filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz (BTCUSDT step 0.00001).
const ACCOUNT = { apiKey: 'recon-race-key', secret: 'recon-race-secret' };
const clock: Clock = { now: () => Date.now() };

let fixture: VenueFixture;
let serviceBus: NatsBus;
let orders: ServiceProcess | undefined;
const positions: number[] = [];
const alerts: Alert[] = [];

const config = () => simReconConfig(fixture, ACCOUNT, { RECON_FILL_WAIT_MS: '2000' });
const client = () => simClient(fixture, ACCOUNT);
const slices = () => simSlices(fixture);

const reconciler = (venue: OrderVenue = buildVenue(config())) =>
  buildReconciler(simReconDeps(fixture, serviceBus, config()), venue);

async function venueBtc(): Promise<number> {
  const balance = (await client().fetchBalance()) as unknown as { total: Record<string, number> };
  return balance.total.BTC ?? 0;
}

async function tradeIdsOf(clientOrderId: string): Promise<string[]> {
  const fills = ((await slices().get(clientOrderId))?.fills ?? []) as Array<{ tradeId: string }>;
  return fills.map((f) => f.tradeId);
}

/** Every order record holding each venue trade id, and our position. */
async function ourBooks() {
  const all = (await slices().all()).filter((s) => s.exchange === 'binance');
  const holders = new Map<string, string[]>();
  for (const s of all)
    for (const f of s.fills as Array<{ tradeId: string }>)
      holders.set(f.tradeId, [...(holders.get(f.tradeId) ?? []), s.clientOrderId]);
  return {
    holders,
    adjustments: all.filter((s) => s.clientOrderId.startsWith('recon-adj-')).map((s) => s.clientOrderId),
    external: all.filter((s) => s.clientOrderId.startsWith('ext-')).map((s) => s.clientOrderId),
    BTC: Number((foldPositions(all).get('BTC-USDT')?.qty ?? 0).toFixed(8)),
  };
}

const logEntries = () => new ReconRepository(fixture.handle.db, clock).entries('binance');

/** An order the order manager sent and recorded with the venue's answer, as it does itself. */
async function recordOwnFill(clientOrderId: string, qty: number): Promise<void> {
  const order = await buildVenue(config()).submit({
    clientOrderId,
    symbol: 'BTC-USDT',
    side: 'buy',
    type: 'market',
    qty,
    price: null,
    reduceOnly: false,
  });
  await slices().plan([btcSlice(clientOrderId, { qty })], 'sending');
  const { venueOrderId, filledQty, avgPrice, fills } = order;
  await slices().update(clientOrderId, { status: 'filled', venueOrderId, filledQty, avgPrice, fills });
}

/**
 * Once a run is clean: one adjustment booked since `before` (recon-adj ids), our position the venue's,
 * and one position alert since `alerted`, checked behind a marker alert published after the runs.
 */
async function expectOneAdjustment(before: ReadonlySet<string>, alerted: number, marker: string) {
  await waitFor(async () => (await reconciler().run()).outcome === 'clean', 'a clean run');
  const made = (await ourBooks()).adjustments.filter((id) => !before.has(id));
  expect(made).toHaveLength(1);
  expect((await ourBooks()).BTC).toBe(await venueBtc());
  await fixture.bus.publish(subject(Subjects.alert, {}), {
    severity: 'info',
    kind: marker,
    message: 'marker',
    labels: {},
  });
  await waitFor(() => alerts.some((a) => a.kind === marker), 'the marker alert');
  expect(alerts.slice(alerted).filter((a) => a.kind === 'recon_position_set')).toHaveLength(1);
}

const kinds = (r: RunReport) => r.drifts.map((d) => [d.drift.kind, d.outcome]);

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'recon_race',
    account: { ...ACCOUNT, balances: { USDT: '10000', BTC: '0' } },
  });
  await fixture.bus.subscribe(
    subject(Subjects.positionEvent, {}),
    (m) => void positions.push(m.payload.qty),
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
  expect((await reconciler().run()).outcome).toBe('clean');
}, 240_000);

afterAll(async () => {
  await orders?.stop(5_000);
  await serviceBus?.drain();
  await fixture?.close();
});

describe('reconciliation racing the orders service', { timeout: 120_000 }, () => {
  it('books a trade once when its order is sent and filled while the run reads the venue', async () => {
    const seen = positions.length;
    const start = await venueBtc();
    const venue = beforeFirstTradeRead(config(), async () => {
      await fixture.bus.publish(
        subject(Subjects.orderCommand, {}),
        marketCommand('race-direct', 'buy', 0.001),
      );
      await waitFor(
        async () => (await slices().get('bl-race-direct'))?.status === 'filled',
        'the order filled',
      );
    });
    const report = await reconciler(venue).run();
    expect(kinds(report)).toEqual([['missing_fill', 'applied']]);
    expect(report.outcome).toBe('repaired');
    expect((await reconciler().run()).outcome).toBe('clean');

    const books = await ourBooks();
    const [tradeId = ''] = await tradeIdsOf('bl-race-direct');
    expect(books.holders.get(tradeId)).toEqual(['bl-race-direct']);
    expect(books).toMatchObject({ adjustments: [], external: [], BTC: start + 0.001 });
    expect(await venueBtc()).toBe(start + 0.001);
    await waitFor(() => positions.length > seen, 'the position event');
    expect(Math.max(...positions.slice(seen))).toBe(start + 0.001);
    expect(alerts.filter((a) => a.kind === 'recon_position_set')).toEqual([]);
  });

  it('books a trade under our order still recorded sending, looked up by client id, not as external', async () => {
    const start = await venueBtc();
    // Sent after our books were read; filled on the venue before its answer is recorded.
    const venue = beforeFirstTradeRead(config(), async () => {
      await slices().plan([btcSlice('bl-race-sending')], 'sending');
      await client().createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
        clientOrderId: 'bl-race-sending',
      });
    });
    const report = await reconciler(venue).run();
    expect(report.drifts[0]).toMatchObject({ drift: { kind: 'missing_fill' }, outcome: 'applied' });
    await waitFor(async () => (await reconciler().run()).outcome === 'clean', 'a clean run');

    expect(await slices().get('bl-race-sending')).toMatchObject({ status: 'filled', filledQty: 0.001 });
    const [tradeId = ''] = await tradeIdsOf('bl-race-sending');
    const books = await ourBooks();
    expect(books.holders.get(tradeId)).toEqual(['bl-race-sending']);
    expect(books).toMatchObject({ adjustments: [], external: [], BTC: start + 0.001 });
  });

  it('never books as external a trade of our order still sending that the venue does not know yet: read again next run', async () => {
    const start = await venueBtc();
    let sent = false;
    let unknownOnce = false;
    // Sent after our books were read and filled before the venue's trades are read; asked for by client
    // id, the venue answers "order does not exist" once (Binance does, just after accepting an order).
    const venue = venueWith(config(), (base) => ({
      async tradesSince(symbol, cursor) {
        if (!sent) {
          sent = true;
          await slices().plan([btcSlice('bl-race-unseen')], 'sending');
          await client().createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
            clientOrderId: 'bl-race-unseen',
          });
        }
        return base.tradesSince(symbol, cursor);
      },
      async fetchByClientId(symbol, clientOrderId) {
        if (clientOrderId === 'bl-race-unseen' && !unknownOnce) {
          unknownOnce = true;
          return undefined;
        }
        return base.fetchByClientId(symbol, clientOrderId);
      },
    }));
    const report = await reconciler(venue).run();
    expect(unknownOnce).toBe(true);
    expect(report.drifts[0]).toMatchObject({ drift: { kind: 'missing_fill' }, outcome: 'failed' });
    expect(report.status).toBe('unreconciled');
    await waitFor(async () => (await reconciler().run()).outcome === 'clean', 'a clean run');

    const [tradeId = ''] = await tradeIdsOf('bl-race-unseen');
    const books = await ourBooks();
    expect(books.holders.get(tradeId)).toEqual(['bl-race-unseen']);
    expect(books).toMatchObject({ adjustments: [], external: [], BTC: start + 0.001 });
  });

  it('corrects nothing from a read whose balances miss trades that kept landing, and repairs from the next', async () => {
    const start = await venueBtc();
    let landed = 0;
    // After every balance read an external buy fills: each read's later trades miss from its balances.
    const venue = venueWith(config(), (base) => ({
      async balances() {
        const balances = await base.balances();
        landed++;
        await client().createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, {
          clientOrderId: `web-landing-${landed}`,
        });
        return balances;
      },
    }));
    const logged = (await logEntries()).length;
    const busy = await reconciler(venue).run();
    expect(busy).toMatchObject({ outcome: 'unknown', status: 'unknown', drifts: [] });
    expect(busy.detail).toMatch(
      /^trades kept landing while the venue's balances were read \(3 reads in a row\)/,
    );
    expect(landed).toBe(3);
    expect((await logEntries()).length).toBe(logged);

    const next = await reconciler().run();
    expect(kinds(next)).toEqual([
      ['missing_fill', 'applied'],
      ['missing_fill', 'applied'],
      ['missing_fill', 'applied'],
    ]);
    expect(next.outcome).toBe('repaired');
    const books = await ourBooks();
    expect(books.adjustments).toEqual([]);
    expect(books.external).toHaveLength(3);
    expect(books.BTC).toBe(Number((start + 0.003).toFixed(8)));
    expect(await venueBtc()).toBe(Number((start + 0.003).toFixed(8)));
  });

  it('asks for one position adjustment while the orders service lags, though it records other fills first', async () => {
    const seen = positions.length;
    await orders?.stop(5_000);
    orders = undefined;
    try {
      // With no baseline (a first run) the balance is not flagged: the position is ours to set.
      fixture.sim.tamper.moveBalance('BTC', '0.001');
      await forgetBaseline(fixture);
      const first = await reconciler().run();
      expect(kinds(first)).toContainEqual(['position_qty', 'failed']);
      // Back before it reads the adjustment, the orders service records a fill of its own (its start
      // recovers an order the venue filled meanwhile): our books move, the difference stays.
      await recordOwnFill('bl-lag-own', 0.001);
      const second = await reconciler().run();
      expect(kinds(second)).toContainEqual(['position_qty', 'failed']);
    } finally {
      orders = await startSimOrdersProcess(fixture, ACCOUNT);
    }
    await waitFor(async () => (await reconciler().run()).outcome === 'clean', 'a clean run', {
      timeoutMs: 60_000,
    });
    const books = await ourBooks();
    expect(books.adjustments).toHaveLength(1);
    const venue = await venueBtc();
    expect(books.BTC).toBe(venue);
    expect(Math.max(...positions.slice(seen))).toBeLessThanOrEqual(venue);
  });

  it('asks for one position adjustment, and alerts once, when two reconcilers overlap (ADR 13)', async () => {
    const [before, alerted] = [new Set((await ourBooks()).adjustments), alerts.length];
    // With no baseline (a first run) the balance is not flagged: the position is ours to set.
    fixture.sim.tamper.moveBalance('BTC', '0.001');
    await forgetBaseline(fixture);
    // Each run reads the lot step once to compare, then once to adjust, after it found no adjustment
    // pending: both reach that second read before either goes on, the window in which they overlap.
    let waiting = 0;
    let release = () => {};
    const bothThere = new Promise<void>((resolve) => {
      release = resolve;
    });
    const overlapping = () => {
      let reads = 0;
      return venueWith(config(), (base) => ({
        async marketRules(symbol) {
          if (++reads === 2) {
            if (++waiting === 2) release();
            await bothThere;
          }
          return base.marketRules(symbol);
        },
      }));
    };
    const runs = await Promise.all([reconciler(overlapping()).run(), reconciler(overlapping()).run()]);
    expect(runs.map((r) => kinds(r)[0])).toEqual([
      ['position_qty', 'applied'],
      ['position_qty', 'applied'],
    ]);
    await expectOneAdjustment(before, alerted, 'test_marker');
  });

  it('asks for one position adjustment when a second reconciler measured our books before the first one adjusted them', async () => {
    const [before, alerted] = [new Set((await ourBooks()).adjustments), alerts.length];
    fixture.sim.tamper.moveBalance('BTC', '0.001');
    await forgetBaseline(fixture);
    // B reads our books and the venue, then waits (at its first lot step read, comparing) until A has
    // measured the same difference, booked its adjustment and cleared it from pending.
    let bMeasured = () => {};
    let aDone = () => {};
    const measured = new Promise<void>((resolve) => {
      bMeasured = resolve;
    });
    const released = new Promise<void>((resolve) => {
      aDone = resolve;
    });
    let reads = 0;
    const late = venueWith(config(), (base) => ({
      async marketRules(symbol) {
        if (++reads === 1) {
          bMeasured();
          await released;
        }
        return base.marketRules(symbol);
      },
    }));
    const b = reconciler(late).run();
    await measured;
    const a = await reconciler().run();
    expect(kinds(a)[0]).toEqual(['position_qty', 'applied']);
    aDone();
    expect(kinds(await b)[0]).toEqual(['position_qty', 'superseded']);
    await expectOneAdjustment(before, alerted, 'test_marker_late');
  });

  it('never moves an order the orders service recorded filled after the read back to open', async () => {
    const start = await venueBtc();
    await slices().plan([btcSlice('bl-race-fill', { type: 'limit', price: 30_000 })], 'sending');
    await client().createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30_000, { clientOrderId: 'bl-race-fill' });
    // Sent long ago and never answered: it awaits the venue, so the run ends after its first pass.
    await slices().plan([btcSlice('bl-race-unsent')], 'sending');
    let raced = false;
    // Read while it rests (ours `sending`, the venue's open); before the repairs it fills and the
    // orders service records the venue's answer, as it does on its own.
    const venue = venueWith(config(), (base) => ({
      async marketRules(symbol) {
        if (!raced) {
          raced = true;
          fixture.sim.tamper.fillSilently('BTCUSDT', 'bl-race-fill');
          const order = await base.fetchByClientId('BTC-USDT', 'bl-race-fill');
          if (!order?.fills.length) throw new Error('the venue shows no fill for bl-race-fill');
          const { venueOrderId, filledQty, avgPrice, fills } = order;
          await slices().update('bl-race-fill', {
            status: 'filled',
            venueOrderId,
            filledQty,
            avgPrice,
            fills,
          });
        }
        return base.marketRules(symbol);
      },
    }));
    const logged = (await logEntries()).length;
    const report = await reconciler(venue).run();
    expect(raced).toBe(true);
    expect(await slices().get('bl-race-fill')).toMatchObject({ status: 'filled', filledQty: 0.001 });
    expect(report.drifts.map((d) => [d.drift.key, d.outcome])).toEqual([
      ['state:bl-race-fill:open', 'superseded'],
      ['state:bl-race-unsent:await', 'noted'],
    ]);
    expect(report.outcome).toBe('unreconciled');
    expect((await logEntries()).slice(logged).map((e) => [e.driftKey, e.outcome])).toEqual([
      ['state:bl-race-fill:open', 'superseded'],
      ['state:bl-race-unsent:await', 'noted'],
    ]);

    await slices().update('bl-race-unsent', { status: 'rejected' });
    expect((await reconciler().run()).outcome).toBe('clean');
    expect(await slices().get('bl-race-fill')).toMatchObject({ status: 'filled' });
    expect((await ourBooks()).BTC).toBe(Number((start + 0.001).toFixed(8)));
  });
  it('leaves an order just recorded open while the venue cannot find it yet, and follows the venue after', async () => {
    await slices().plan([btcSlice('bl-race-fresh', { type: 'limit', price: 30_000 })], 'sending');
    const placed = await client().createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30_000, {
      clientOrderId: 'bl-race-fresh',
    });
    await slices().update('bl-race-fresh', { status: 'open', venueOrderId: String(placed.id) });
    // Binance just after it accepted an order: not among the open orders, "order does not exist" by client id.
    const graced = simReconConfig(fixture, ACCOUNT, { RECON_IN_FLIGHT_GRACE_MS: '60000' });
    const lagging = venueWith(graced, (base) => ({
      openOrders: async (symbol) =>
        (await base.openOrders(symbol)).filter((o) => o.clientOrderId !== 'bl-race-fresh'),
      fetchByClientId: (symbol, id) =>
        id === 'bl-race-fresh' ? Promise.resolve(undefined) : base.fetchByClientId(symbol, id),
    }));
    const report = await buildReconciler(simReconDeps(fixture, serviceBus, graced), lagging).run();
    expect([report.outcome, kinds(report)]).toEqual(['clean', []]);
    expect((await slices().get('bl-race-fresh'))?.status).toBe('open');
    expect((await client().fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toContain(
      'bl-race-fresh',
    );

    // What the venue does report is followed at once: cancelled by hand, it is cancelled in ours.
    await client().cancelOrder(String(placed.id), 'BTC/USDT');
    const after = await buildReconciler(simReconDeps(fixture, serviceBus, graced), buildVenue(graced)).run();
    expect(after.drifts.map((d) => [d.drift.key, d.outcome])).toEqual([
      ['state:bl-race-fresh:cancelled', 'applied'],
    ]);
    expect((await slices().get('bl-race-fresh'))?.status).toBe('cancelled');
  });
});
