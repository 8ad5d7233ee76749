import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { type Clock, type PositionEvent, type StopEvent, Subjects, subject } from '@ballast/contracts';
import { createDb, type DbHandle, migrate, ProtectiveStopRepository } from '@ballast/db';
import { createTestDatabase, natsUrl, type TestDatabase, uniqueName, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopsConfigSchema } from './config';
import { startStops } from './service';
import { StopRecord } from './stop-record';
import { SpotStopVenue } from './testing/spot-stop-venue';

// A spot account holding 2 BTC: the stop left by the first position and the second position's own
// stop both fit beside each other, as they would when a leftover locks coins the account still has.
const rules = { tickSize: 0.01, stepSize: 0.001, minQty: 0.001, minNotional: 5 };
const slotOf = (venue: string) => `${venue}:BTC-USDT`;
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };

let testDb: TestDatabase;
let handle: DbHandle;
let servers: string;
let prefix: string;
let bus: NatsBus;
const stopEvents: StopEvent[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase('stopsleft');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  servers = await natsUrl();
  prefix = `${uniqueName('stopsleft')}.`;
  bus = await NatsBus.connect({ servers, prefix, source: 'test', clock });
  await bus.ensureStreams();
  await bus.subscribe(subject(Subjects.stopEvent, {}), (m) => void stopEvents.push(m.payload), {
    durable: 't-stop',
  });
});

afterAll(async () => {
  await bus?.drain();
  if (bus) await deleteStreamsAt(servers, bus.naming);
  await handle?.db.destroy();
  await testDb?.drop();
});

/** The stops service on `venue`, on its own connection, started again after a stop as after a crash. */
async function start(venue: SpotStopVenue) {
  const serviceBus = await NatsBus.connect({ servers, prefix, source: 'stops', clock });
  const service = await startStops({
    bus: serviceBus,
    db: handle.db,
    clock,
    ids: () => crypto.randomUUID(),
    config: stopsConfigSchema.parse({
      STOPS_VENUE: venue.id,
      VERIFY_INTERVAL_MS: '0',
      COVERAGE_SAMPLE_MS: '0',
      TRAIL_MODE: 'off',
      RETRY_BASE_MS: '5',
    }),
    log: silent,
    metrics: new Registry(),
    venue,
  });
  return {
    manager: service.manager,
    async stop() {
      await service[Symbol.asyncDispose]();
      await serviceBus.drain();
    },
  };
}

/** A long of 1 BTC on the venue's slot entered at 100 (its fallback stop: 98), opened or closed. */
async function position(venue: string, status: PositionEvent['status']) {
  await bus.publish(subject(Subjects.positionEvent, {}), {
    status,
    positionId: slotOf(venue),
    strategy: null,
    exchange: venue,
    symbol: 'BTC-USDT',
    side: 'long',
    qty: status === 'closed' ? 0 : 1,
    avgEntry: 100,
    realizedPnl: 0,
    fees: 0,
    intentId: null,
  });
}

const records = () => new ProtectiveStopRepository(handle.db, clock, StopRecord);
const verified = (slot: string) => stopEvents.filter((e) => e.positionId === slot && e.kind === 'verified');
const cancelled = (clientOrderId: string) =>
  stopEvents.some((e) => e.kind === 'cancelled' && e.clientOrderId === clientOrderId);

/** The venue's slot opened and then closed while the venue refuses cancels: its stop is left. */
async function leaveStop(venue: SpotStopVenue, svc: Awaited<ReturnType<typeof start>>): Promise<string> {
  const slot = slotOf(venue.id);
  await position(venue.id, 'opened');
  await waitFor(() => verified(slot).length === 1, 'first stop verified');
  const left = svc.manager.record(slot)?.clientOrderId as string;
  venue.failCancel = true;
  await position(venue.id, 'closed');
  await waitFor(async () => (await records().get(slot))?.state.qty === 0, 'leftover stored');
  return left;
}

describe("stops: a closed position's stop whose cancel failed, and the slot's next position", () => {
  it("keeps the leftover tracked across a restart, cancels it once the venue accepts, and leaves the new position's stop intact", async () => {
    const venue = new SpotStopVenue('spotslot', rules, 2);
    const SLOT = slotOf(venue.id);
    let svc = await start(venue);
    const first = await leaveStop(venue, svc);
    // The slot's next position takes the slot's row; its own stop is placed beside the leftover.
    await position(venue.id, 'opened');
    await waitFor(() => verified(SLOT).length === 2, 'second stop verified');
    const second = svc.manager.record(SLOT)?.clientOrderId as string;
    expect(second).not.toBe(first);

    // A restart while the venue still refuses cancels: the leftover is still known, and only the new
    // position counts, protected by its own stop.
    await svc.stop();
    svc = await start(venue);
    expect(venue.openStops().map((s) => s.clientOrderId)).toEqual([first, second]);
    expect((await records().active(venue.id)).map((r) => r.clientOrderId).sort()).toEqual(
      [first, second].sort(),
    );
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });

    venue.failCancel = false;
    await svc.manager.verifyLive();
    expect(venue.openStops()).toMatchObject([
      { clientOrderId: second, qty: 1, stopPrice: 98, status: 'open' },
    ]);
    await waitFor(() => cancelled(first), 'leftover cancelled');
    expect(svc.manager.record(SLOT)).toMatchObject({ clientOrderId: second, qty: 1, verified: true });
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
    expect(await records().get(SLOT)).toMatchObject({ status: 'active', state: { clientOrderId: second } });
    expect((await records().active(venue.id)).map((r) => r.clientOrderId)).toEqual([second]);
    await svc.stop();

    // Nothing is left to cancel: a further restart keeps the new stop as it is.
    svc = await start(venue);
    expect(venue.openStops().map((s) => s.clientOrderId)).toEqual([second]);
    expect(svc.manager.record(SLOT)).toMatchObject({ clientOrderId: second, verified: true });
    await svc.stop();
  });

  it('keeps it tracked when the next position opens while its stop cannot be planned, and protects that position once it can', async () => {
    const venue = new SpotStopVenue('spotslotplan', rules, 2);
    const SLOT = slotOf(venue.id);
    let svc = await start(venue);
    const first = await leaveStop(venue, svc);
    // Market rules unreadable: the new position is stored as a stub on the slot's row, with no stop.
    venue.failRules = true;
    await position(venue.id, 'opened');
    await waitFor(async () => (await records().get(SLOT))?.state.unplanned, 'unplanned position stored');
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 0 });

    await svc.stop();
    venue.failRules = false;
    venue.failCancel = false;
    svc = await start(venue);
    await waitFor(() => cancelled(first), 'the leftover cancelled at start');
    const second = svc.manager.record(SLOT)?.clientOrderId;
    expect(venue.openStops()).toMatchObject([
      { clientOrderId: second, qty: 1, stopPrice: 98, status: 'open' },
    ]);
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
    expect((await records().active(venue.id)).map((r) => r.clientOrderId)).toEqual([second]);
    await svc.stop();
  });

  it("cancels the leftover before the next position's stop when its coins are all the account holds, instead of flattening", async () => {
    // 1 BTC held: the leftover sell stop locks it, so the new stop fits only once the leftover is gone.
    const venue = new SpotStopVenue('spotslotlock', rules, 1);
    const SLOT = slotOf(venue.id);
    const svc = await start(venue);
    const first = await leaveStop(venue, svc);
    // The venue takes cancels again before any periodic check has retried the leftover.
    venue.failCancel = false;
    await position(venue.id, 'opened');
    await waitFor(
      () =>
        verified(SLOT).length === 2 || stopEvents.some((e) => e.positionId === SLOT && e.kind === 'failed'),
      'the second stop verified or given up',
    );
    expect(cancelled(first)).toBe(true);
    const second = svc.manager.record(SLOT)?.clientOrderId;
    expect(venue.openStops()).toMatchObject([
      { clientOrderId: second, qty: 1, stopPrice: 98, status: 'open' },
    ]);
    expect(svc.manager.record(SLOT)).toMatchObject({ verified: true, closing: null });
    expect((await records().active(venue.id)).map((r) => r.clientOrderId)).toEqual([second]);
    await svc.stop();
  });
});
