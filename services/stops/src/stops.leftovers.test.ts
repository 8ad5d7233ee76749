import { describe, expect, it } from 'vitest';
import { fileDatabase } from './testing/file-database';
import { NatsStops } from './testing/nats-stops';
import { SpotStopVenue } from './testing/spot-stop-venue';

// A spot account holding 2 BTC (unless said): the stop left by the first position and the second
// position's own stop both fit beside each other, as they would when a leftover locks coins the
// account still has.
const db = fileDatabase('stopsleft');
const rules = { tickSize: 0.01, stepSize: 0.001, minQty: 0.001, minNotional: 5 };
const slotOf = (venue: string) => `${venue}:BTC-USDT`;

/** The service on a spot venue holding `held` BTC, its slot's first position opened and closed while the venue refuses cancels. */
async function withLeftover(venueId: string, held: number) {
  const stops = await NatsStops.create(db());
  const venue = new SpotStopVenue(venueId, rules, held);
  const svc = await stops.start(venue);
  const slot = slotOf(venueId);
  await stops.position(venueId, 1);
  const first = svc.manager.record(slot)?.clientOrderId as string;
  venue.failCancel = true;
  await stops.position(venueId, 0, 100, 'closed');
  expect(await stops.row(slot)).toMatchObject({ status: 'active', state: { qty: 0, clientOrderId: first } });
  const cancelled = (clientOrderId: string) =>
    stops.eventsOf('cancelled').some((e) => e.clientOrderId === clientOrderId);
  const activeIds = async () => (await stops.records.active(venueId)).map((r) => r.clientOrderId);
  return { stops, venue, svc, slot, first, cancelled, activeIds };
}

describe("stops: a closed position's stop whose cancel failed, and the slot's next position", () => {
  it("keeps the leftover tracked across a restart, cancels it once the venue accepts, and leaves the new position's stop intact", async () => {
    const left = await withLeftover('spotslot', 2);
    const { stops, venue, slot, first, cancelled, activeIds } = left;
    let { svc } = left;
    // The slot's next position takes the slot's row; its own stop is placed beside the leftover.
    await stops.position(venue.id, 1);
    expect(stops.eventsOf('verified').filter((e) => e.positionId === slot)).toHaveLength(2);
    const second = svc.manager.record(slot)?.clientOrderId as string;
    expect(second).not.toBe(first);

    // A restart while the venue still refuses cancels: the leftover is still known, and only the new
    // position counts, protected by its own stop.
    await svc.manager.stop();
    svc = await stops.start(venue);
    await stops.idle();
    expect(venue.openStops().map((s) => s.clientOrderId)).toEqual([first, second]);
    expect((await activeIds()).sort()).toEqual([first, second].sort());
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });

    venue.failCancel = false;
    await svc.manager.verifyLive();
    await stops.idle();
    expect(venue.openStops()).toMatchObject([
      { clientOrderId: second, qty: 1, stopPrice: 98, status: 'open' },
    ]);
    expect(cancelled(first)).toBe(true);
    expect(svc.manager.record(slot)).toMatchObject({ clientOrderId: second, qty: 1, verified: true });
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
    expect(await stops.row(slot)).toMatchObject({ status: 'active', state: { clientOrderId: second } });
    expect(await activeIds()).toEqual([second]);
    await svc.manager.stop();

    // Nothing is left to cancel: a further restart keeps the new stop as it is.
    svc = await stops.start(venue);
    expect(venue.openStops().map((s) => s.clientOrderId)).toEqual([second]);
    expect(svc.manager.record(slot)).toMatchObject({ clientOrderId: second, verified: true });
  });

  it('keeps it tracked when the next position opens while its stop cannot be planned, and protects that position once it can', async () => {
    const left = await withLeftover('spotslotplan', 2);
    const { stops, venue, slot, first, cancelled, activeIds } = left;
    let { svc } = left;
    // Market rules unreadable: the new position is stored as a stub on the slot's row, with no stop.
    venue.failRules = true;
    await stops.position(venue.id, 1);
    expect((await stops.row(slot))?.state.unplanned).toBeTruthy();
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 0 });

    await svc.manager.stop();
    venue.failRules = false;
    venue.failCancel = false;
    svc = await stops.start(venue);
    await stops.idle();
    expect(cancelled(first)).toBe(true);
    const second = svc.manager.record(slot)?.clientOrderId;
    expect(venue.openStops()).toMatchObject([
      { clientOrderId: second, qty: 1, stopPrice: 98, status: 'open' },
    ]);
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
    expect(await activeIds()).toEqual([second]);
  });

  it("cancels the leftover before the next position's stop when its coins are all the account holds, instead of flattening", async () => {
    // 1 BTC held: the leftover sell stop locks it, so the new stop fits only once the leftover is gone.
    const { stops, venue, svc, slot, first, cancelled, activeIds } = await withLeftover('spotslotlock', 1);
    // The venue takes cancels again before any periodic check has retried the leftover.
    venue.failCancel = false;
    await stops.position(venue.id, 1);
    expect(cancelled(first)).toBe(true);
    const second = svc.manager.record(slot)?.clientOrderId;
    expect(venue.openStops()).toMatchObject([
      { clientOrderId: second, qty: 1, stopPrice: 98, status: 'open' },
    ]);
    expect(svc.manager.record(slot)).toMatchObject({ verified: true, closing: null });
    expect(stops.eventsOf('failed')).toEqual([]);
    expect(await activeIds()).toEqual([second]);
  });
});

describe('stops: a close that leaves less than a lot', () => {
  it('cancels the stop a failed cancel left beside the close once only dust is held, or keeps it to cancel later', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotdust', rules, 1);
    const svc = await stops.start(venue);
    const slot = slotOf(venue.id);
    await stops.position(venue.id, 1);
    const stop = svc.manager.record(slot)?.clientOrderId as string;

    // The local monitor closes at 97 (stop 98); the cancel of the venue stop before it fails.
    venue.failCancel = true;
    await stops.trade(venue.id, 97);
    expect(svc.manager.record(slot)).toMatchObject({ clientOrderId: stop, closing: { byVenue: false } });

    // The close sold whole lots: the position holds 0.0004 BTC, below a lot, reported as still open.
    await stops.position(venue.id, 0.0004, 100, 'changed');
    expect(svc.manager.record(slot)).toBeUndefined();
    // The stop cannot be cancelled yet: it is kept, stored, and cancelled at the next check.
    expect(await stops.row(slot)).toMatchObject({ status: 'active', state: { qty: 0, clientOrderId: stop } });
    venue.failCancel = false;
    await svc.manager.verifyLive();
    await stops.idle();
    expect(venue.openStops()).toEqual([]);
    expect(await stops.row(slot)).toMatchObject({ status: 'closed' });
  });
});
