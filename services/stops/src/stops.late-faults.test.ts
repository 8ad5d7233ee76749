import { type StopRequest, VenueError } from '@ballast/exchange';
import { describe, expect, it } from 'vitest';
import { fileDatabase } from './testing/file-database';
import { NatsStops } from './testing/nats-stops';
import { SpotStopVenue } from './testing/spot-stop-venue';

// The stops service on NATS JetStream and PostgreSQL (each test its own prefix and streams, this file
// its own database), faced with a spot venue's faults and the store's.
const db = fileDatabase('stopslate');

// A spot account holding 1 BTC: a resting sell stop locks it, so a second stop beside it is refused.
const rules = { tickSize: 0.01, stepSize: 0.001, minQty: 0.001, minNotional: 5 };
const positionId = (venue: string) => `${venue}:BTC-USDT`;
/** The fallback stop (2 % under the entry at 100) on the whole position. */
const fallback = { qty: 1, stopPrice: 98, status: 'open' };

/** A spot venue whose first placement times out and lands a moment later, after its read-back. */
class LateStopVenue extends SpotStopVenue {
  private late: StopRequest | null = null;
  lateOnce = true;

  override async placeStop(request: StopRequest) {
    const late = this.late;
    this.late = null;
    if (late) await super.placeStop(late);
    if (this.lateOnce) {
      this.lateOnce = false;
      this.late = request;
      throw new VenueError('network', 'createOrder: RequestTimeout');
    }
    return super.placeStop(request);
  }
}

describe('stops: a placement that lands after its timeout and read-back', () => {
  it('asks again under the same id: the late stop is adopted, never doubled, nothing flattened', async () => {
    const stops = await NatsStops.create(db());
    const venue = new LateStopVenue('spotlate1', rules, 1);
    const svc = await stops.start(venue);
    await stops.position('spotlate1', 1);

    const record = svc.manager.record(positionId('spotlate1'));
    expect(venue.openStops()).toMatchObject([{ ...fallback, clientOrderId: record?.clientOrderId }]);
    expect(record).toMatchObject({ verified: true, closing: null });
    expect(stops.closes('spotlate1')).toEqual([]);
    expect(await svc.coverage()).toBe(1);
  });
});

describe('stops: a position whose stop cannot be planned outlives a restart', () => {
  it('stores it unprotected, so after a restart it still counts open and is protected at start', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotplan', rules, 1);
    const svc = await stops.start(venue);
    venue.failRules = true;
    await stops.position('spotplan', 1);
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 0 });
    await svc.manager.stop();

    const down = await stops.start(venue);
    expect(down.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 0 });
    expect(await down.coverage()).toBe(0);
    expect(venue.openStops()).toEqual([]);
    await down.manager.stop();

    venue.failRules = false;
    const up = await stops.start(venue);
    expect(venue.openStops()).toMatchObject([fallback]);
    expect(up.manager.record(positionId('spotplan'))).toMatchObject({ verified: true, unplanned: null });
    expect(await up.coverage()).toBe(1);
  });

  it("plans it at reconciliation's report of its missing stop", async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotplanrecon', rules, 1);
    const svc = await stops.start(venue);
    venue.failRules = true;
    await stops.position('spotplanrecon', 1);
    await svc.manager.stop();
    const restarted = await stops.start(venue);
    venue.failRules = false;
    await stops.missingStop('spotplanrecon', positionId('spotplanrecon'));
    expect(venue.openStops()).toMatchObject([fallback]);
    expect(await restarted.coverage()).toBe(1);
  });

  it('closes the stored stub of a position that closes before its stop could be planned', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotplanclose', rules, 1);
    const svc = await stops.start(venue);
    venue.failRules = true;
    await stops.position('spotplanclose', 1);
    expect(await stops.row(positionId('spotplanclose'))).toMatchObject({ status: 'active' });
    await stops.position('spotplanclose', 0, 100, 'closed');
    expect(await stops.row(positionId('spotplanclose'))).toMatchObject({ status: 'closed' });
    expect(svc.manager.coverage()).toEqual({ openPositions: 0, protectedPositions: 0 });
  });
});

describe('stops: a move whose old stop cannot be cancelled is kept, not lost', () => {
  it('sizes a later move from the pending one: a position grown while its cancel failed ends with a stop on all of it', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotgrow', rules, 2);
    const svc = await stops.start(venue, { TRAIL_MODE: 'percent' });
    await stops.position('spotgrow', 1);
    venue.failCancel = true;
    await stops.position('spotgrow', 2, 100, 'changed');
    await stops.bar('spotgrow', 110);
    venue.failCancel = false;
    await svc.manager.verifyLive();

    expect(venue.openStops()).toMatchObject([{ qty: 2, stopPrice: 107.8, status: 'open' }]);
    expect(svc.manager.record(positionId('spotgrow'))).toMatchObject({
      qty: 2,
      stopPrice: 107.8,
      verified: true,
      pendingMove: null,
    });
  });

  it('makes the pending move at start after a restart', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotgrowrestart', rules, 2);
    const svc = await stops.start(venue);
    await stops.position('spotgrowrestart', 1);
    venue.failCancel = true;
    await stops.position('spotgrowrestart', 2, 100, 'changed');
    await svc.manager.stop();

    venue.failCancel = false;
    const restarted = await stops.start(venue);
    expect(venue.openStops()).toMatchObject([{ qty: 2, stopPrice: 98, status: 'open' }]);
    expect(restarted.manager.record(positionId('spotgrowrestart'))).toMatchObject({ qty: 2, verified: true });
    expect(await restarted.coverage()).toBe(1);
  });

  it("stores the opening intent's ladder when the move to its stop waits for a cancel", async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotladder', rules, 1);
    const svc = await stops.start(venue);
    const opening = { strategy: 'trend', chain: 'ladder-chain' };
    await stops.position('spotladder', 1, 100, 'opened', opening);
    venue.failCancel = true;
    await stops.approveLong('spotladder', opening.strategy, opening.chain, 99, [110]);
    await svc.manager.stop();

    venue.failCancel = false;
    const restarted = await stops.start(venue);
    expect(restarted.manager.record(positionId('spotladder'))).toMatchObject({
      awaiting: null,
      intentId: 'i-ladder-chain',
      ladder: { levels: [110], taken: 0 },
      stopPrice: 99,
      verified: true,
      pendingMove: null,
    });
    expect(venue.openStops()).toMatchObject([{ qty: 1, stopPrice: 99, status: 'open' }]);
  });
});

describe("stops: a take-profit undone while a kill's flatten runs", () => {
  const kill = { flatten: true, reason: 'operator', requestedBy: 'cli' };

  /** A long with TP1 at 110 whose first take-profit (0.5 of 1) is out when the kill comes. */
  async function takingProfit(venueId: string) {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue(venueId, rules, 1);
    const svc = await stops.start(venue, { CLOSE_CONFIRM_MS: '30000' });
    const opening = { strategy: 'trend', chain: `${venueId}-chain` };
    await stops.approveLong(venueId, opening.strategy, opening.chain, 95, [110, 130]);
    await stops.position(venueId, 1, 100, 'opened', opening);
    await stops.trade(venueId, 110);
    const record = svc.manager.record(positionId(venueId));
    expect(record?.takeProfit).toMatchObject({ qty: 0.5, keep: 0.5 });
    const [sale] = stops.closes(venueId);
    // The kill comes 20 s after the sale went out.
    stops.clock.advance(20_000);
    const killed = await stops.kill(kill);
    // The orders service cancels the stop to sell the coins it locks.
    for (const stop of venue.openStops()) await venue.paper.cancelStop('BTC-USDT', stop.clientOrderId);
    return { stops, venue, svc, killed, sale };
  }

  it('puts no stop back for a take-profit cancelled by the flatten; the hold ends and protects what is left', async () => {
    const { stops, venue, svc, killed, sale } = await takingProfit('spottpkill');
    if (sale?.kind !== 'submit') throw new Error('no take-profit sent');
    await stops.unfilled(sale, { status: 'cancelled', reason: null, detail: 'kill: open orders cancelled' });
    expect(venue.openStops()).toEqual([]);
    expect(svc.manager.record(positionId('spottpkill'))).toMatchObject({ qty: 1, takeProfit: null });

    await stops.flattenReported(killed.id, false, 'flatten: BTC-USDT NOT flat: 1 BTC');
    expect(venue.openStops()).toMatchObject([{ qty: 1, status: 'open' }]);
    expect(await svc.coverage()).toBe(1);
  });

  it('puts no stop back and re-sends nothing for a take-profit left unanswered during the flatten', async () => {
    const { stops, venue, svc } = await takingProfit('spottpquiet');
    // The sale unanswered for CLOSE_CONFIRM_MS; the hold still runs.
    stops.clock.advance(10_000);
    await stops.trade('spottpquiet', 105);
    expect(venue.openStops()).toEqual([]);
    expect(stops.closes('spottpquiet')).toHaveLength(1);
    expect(svc.manager.record(positionId('spottpquiet'))).toMatchObject({ qty: 1, takeProfit: null });
  });

  it('re-sends no close of its own beside the flatten, and after the hold re-sends one the flatten left', async () => {
    const stops = await NatsStops.create(db());
    // Nothing to lock: the venue refuses every stop, so the position is being flattened by us.
    const venue = new SpotStopVenue('spotclosekill', rules, 0);
    await stops.start(venue, { CLOSE_CONFIRM_MS: '30000' });
    await stops.position('spotclosekill', 1);
    expect(stops.closes('spotclosekill')).toHaveLength(1);
    stops.clock.advance(20_000);
    const killed = await stops.kill(kill);
    stops.clock.advance(10_000);
    await stops.trade('spotclosekill', 99);
    expect(stops.closes('spotclosekill')).toHaveLength(1);

    await stops.flattenReported(killed.id, false, 'flatten: BTC-USDT NOT flat: 1 BTC');
    await stops.trade('spotclosekill', 99);
    expect(stops.closes('spotclosekill')).toHaveLength(2);
  });
});

describe("stops: a kill's flatten reported late", () => {
  const kill = { flatten: true, reason: 'operator', requestedBy: 'cli' };
  const fallback1 = { qty: 1, stopPrice: 98, status: 'open' };

  async function killedLong(venueId: string) {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue(venueId, rules, 1);
    const svc = await stops.start(venue, { CLOSE_CONFIRM_MS: '30000', FLATTEN_HOLD_MAX_MS: '600000' });
    await stops.position(venueId, 1);
    const killed = await stops.kill(kill);
    // The orders service, queued behind an outage, has cancelled the stop and not yet sold.
    await venue.cancelStop('BTC-USDT', svc.manager.record(positionId(venueId))?.clientOrderId as string);
    return { stops, venue, svc, killed };
  }

  it('alerts once when unreported after CLOSE_CONFIRM_MS and keeps holding; the late report ends the hold', async () => {
    const { stops, venue, svc, killed } = await killedLong('spotlatekill');
    stops.clock.advance(30_000);
    await stops.trade('spotlatekill', 99);
    stops.clock.advance(60_000);
    await stops.trade('spotlatekill', 99);
    await svc.manager.verifyLive();
    expect(stops.alerts).toMatchObject([
      { kind: 'flatten_incomplete', labels: { positionId: positionId('spotlatekill') } },
    ]);
    expect(venue.openStops()).toEqual([]);
    expect(await svc.coverage()).toBe(0);

    // The orders service comes back and flattens; it reports the market flat and the position closes.
    await stops.flattenReported(killed.id, true, 'flatten: BTC-USDT flat');
    await stops.position('spotlatekill', 0, 100, 'closed');
    stops.clock.advance(30_000);
    await stops.trade('spotlatekill', 99);
    expect(stops.alerts).toHaveLength(1);
    expect(venue.openStops()).toEqual([]);
    expect(svc.manager.record(positionId('spotlatekill'))).toBeUndefined();
  });

  it('ends the hold at FLATTEN_HOLD_MAX_MS without a report and protects the position again', async () => {
    const { stops, venue } = await killedLong('spotneverkill');
    stops.clock.advance(599_000);
    await stops.trade('spotneverkill', 99);
    expect(venue.openStops()).toEqual([]);
    stops.clock.advance(1_000);
    await stops.trade('spotneverkill', 99);
    expect(stops.alerts.map((a) => a.kind)).toEqual([
      'flatten_incomplete',
      'flatten_incomplete',
      'stop_lost',
    ]);
    expect(venue.openStops()).toMatchObject([fallback1]);
  });
});

describe("stops: a closed position's stop whose cancel failed outlives a restart", () => {
  it('keeps its record active with nothing to protect until the stop is cancelled, at start after a restart', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotleftover', rules, 1);
    const svc = await stops.start(venue);
    await stops.position('spotleftover', 1);
    const placed = svc.manager.record(positionId('spotleftover'))?.clientOrderId;
    venue.failCancel = true;
    await stops.position('spotleftover', 0, 100, 'closed');
    expect(await stops.row(positionId('spotleftover'))).toMatchObject({
      status: 'active',
      state: { qty: 0, clientOrderId: placed },
    });
    expect(await svc.coverage()).toBe(1);
    await svc.manager.stop();

    venue.failCancel = false;
    const restarted = await stops.start(venue);
    await stops.idle();
    expect(venue.openStops()).toEqual([]);
    expect(stops.eventsOf('cancelled')).toMatchObject([{ clientOrderId: placed }]);
    expect(await stops.row(positionId('spotleftover'))).toMatchObject({ status: 'closed' });
    expect(restarted.manager.coverage()).toEqual({ openPositions: 0, protectedPositions: 0 });
  });
});

describe("stops: a leftover stop cancelled before the next position's stop", () => {
  it('leaves the new position protected when tidying the leftover fails on the store', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spottidy', rules, 2);
    const svc = await stops.start(venue);
    const slot = positionId('spottidy');
    await stops.position('spottidy', 1);
    const first = svc.manager.record(slot)?.clientOrderId as string;
    venue.failCancel = true;
    await stops.position('spottidy', 0, 100, 'closed');
    // The venue takes cancels again; the leftover's row cannot be read when it is closed.
    venue.failCancel = false;
    stops.records.failNextGetOf.add(`${slot}~`);
    await stops.position('spottidy', 1);
    const second = svc.manager.record(slot);
    expect(second).toMatchObject({ verified: true, closing: null });
    expect(venue.openStops()).toMatchObject([
      { clientOrderId: second?.clientOrderId, qty: 1, status: 'open' },
    ]);
    expect(venue.openStops().map((o) => o.clientOrderId)).not.toContain(first);
    expect(stops.records.failNextGetOf.size).toBe(0);
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
  });
});

describe("stops: a leftover stop cancelled late leaves a later position's record as it is", () => {
  it('closes its own row only, so the slot keeps its sequence and a later leftover stays remembered', async () => {
    class SelectiveCancels extends SpotStopVenue {
      readonly failing = new Set<string>();
      override async cancelStop(symbol: string, id: string) {
        if (this.failing.has(id)) throw new VenueError('rate_limited', 'cancelOrder: 429 Too Many Requests');
        return super.cancelStop(symbol, id);
      }
    }
    const stops = await NatsStops.create(db());
    const venue = new SelectiveCancels('slotreuse', rules, 5);
    let svc = await stops.start(venue);
    const slot = positionId('slotreuse');
    await stops.position('slotreuse', 1);
    const first = svc.manager.record(slot)?.clientOrderId as string;
    venue.failing.add(first);
    await stops.position('slotreuse', 0, 100, 'closed');
    // A second position on the slot, whose stop cannot be cancelled at its close either.
    await stops.position('slotreuse', 1);
    const second = svc.manager.record(slot)?.clientOrderId as string;
    venue.failing.add(second);
    await stops.position('slotreuse', 0, 100, 'closed');
    const row = () => stops.row(slot);
    const stored = await row();
    const secondRow = { status: stored?.status, state: { ...stored?.state } };
    expect(secondRow).toMatchObject({ status: 'active', state: { qty: 0, clientOrderId: second } });
    // The first stop's cancel goes through at last: the row is the second's still.
    venue.failing.delete(first);
    await svc.manager.verifyLive();
    expect(venue.openStops().map((o) => o.clientOrderId)).toEqual([second]);
    expect(await row()).toMatchObject(secondRow);
    // So a restart still finds the second stop and cancels it.
    await svc.manager.stop();
    venue.failing.clear();
    svc = await stops.start(venue);
    expect(venue.openStops()).toEqual([]);
    expect((await row())?.status).toBe('closed');
  });
});

describe('stops: a close re-sent while a stop of ours may still rest', () => {
  it('cancels the stop whose cancel failed before re-sending the close (on spot it locks the coins)', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotresend', rules, 1);
    // Every placement times out and no read-back answers: the stop's fate stays unknown.
    venue.timeoutsAfterPlacing = 3;
    venue.failFetch = true;
    venue.failCancel = true;
    const svc = await stops.start(venue, { CLOSE_CONFIRM_MS: '30000' });
    await stops.position('spotresend', 1);
    expect(stops.closes('spotresend')).toHaveLength(1);
    expect(venue.openStops()).toHaveLength(1);

    venue.failCancel = false;
    stops.clock.advance(30_000);
    await stops.trade('spotresend', 99);
    expect(stops.closes('spotresend')).toHaveLength(2);
    expect(venue.openStops()).toEqual([]);
    expect(svc.manager.record(positionId('spotresend'))).toMatchObject({ clientOrderId: null });
  });

  it("keeps the stop the local monitor's close could not cancel, and cancels it before the close is re-sent", async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotlocal', rules, 1);
    const svc = await stops.start(venue, { CLOSE_CONFIRM_MS: '30000' });
    await stops.position('spotlocal', 1);
    const placed = svc.manager.record(positionId('spotlocal'))?.clientOrderId;
    venue.failCancel = true;
    // Through the stop (98) and its grace; the venue's stop has not acted.
    await stops.trade('spotlocal', 97);
    expect(stops.closes('spotlocal')).toHaveLength(1);
    expect(svc.manager.record(positionId('spotlocal'))).toMatchObject({ clientOrderId: placed, closing: {} });

    venue.failCancel = false;
    stops.clock.advance(30_000);
    await stops.trade('spotlocal', 97);
    expect(stops.closes('spotlocal')).toHaveLength(2);
    expect(venue.openStops()).toEqual([]);
  });
});
