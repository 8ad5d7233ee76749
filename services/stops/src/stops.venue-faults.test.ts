import { stopOrderId } from '@ballast/core';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { fileDatabase } from './testing/file-database';
import { NatsStops } from './testing/nats-stops';
import { SpotStopVenue } from './testing/spot-stop-venue';

// The stops service on NATS JetStream and PostgreSQL (each test its own prefix and streams, this file
// its own database), faced with a spot venue's faults and the store's.
const db = fileDatabase('stopsfaults');

// A spot account holding 1 BTC: a resting sell stop locks it, so a second stop beside it is refused.
const rules = { tickSize: 0.01, stepSize: 0.001, minQty: 0.001, minNotional: 5 };
const positionId = (venue: string) => `${venue}:BTC-USDT`;
/** The fallback stop (2 % under the entry at 100) on the whole position. */
const fallback = { qty: 1, stopPrice: 98, status: 'open' };

async function protectedLong(venueId: string, overrides: Record<string, string> = {}) {
  const stops = await NatsStops.create(db());
  const venue = new SpotStopVenue(venueId, rules, 1);
  const svc = await stops.start(venue, overrides);
  await stops.position(venueId, 1);
  expect(svc.manager.record(positionId(venueId))).toMatchObject({ verified: true });
  return { stops, venue, svc, id: positionId(venueId) };
}

describe('stops: a stop whose fate the venue left unknown is never doubled (spot venue)', () => {
  it('adopts the stop the venue took before its placement timed out: one stop, protected, nothing flattened', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spottimeout', rules, 1);
    venue.timeoutsAfterPlacing = 1;
    const svc = await stops.start(venue);
    await stops.position('spottimeout', 1);

    const record = svc.manager.record(positionId('spottimeout'));
    expect(venue.openStops()).toMatchObject([{ ...fallback, clientOrderId: record?.clientOrderId }]);
    expect(record).toMatchObject({ verified: true, closing: null });
    expect(stops.closes('spottimeout')).toEqual([]);
    expect(await svc.coverage()).toBe(1);
  });

  it('keeps the stop placed when its record cannot be stored: the next attempt finds it under the same id', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotsave', rules, 1);
    const svc = await stops.start(venue);
    // The record stored before the placement, then the one after it.
    stops.records.failSaves = 2;
    await stops.position('spotsave', 1);

    const record = svc.manager.record(positionId('spotsave'));
    expect(venue.openStops()).toMatchObject([{ ...fallback, clientOrderId: record?.clientOrderId }]);
    expect(record).toMatchObject({ verified: true, closing: null });
    expect((await stops.row(positionId('spotsave')))?.state.clientOrderId).toBe(record?.clientOrderId);
    // The injected failure was met: the record was stored at a later attempt.
    expect(stops.records.failSaves).toBe(0);
    expect(stops.closes('spotsave')).toEqual([]);
  });

  it('keeps the old stop and its record when the cancel before a move fails; the move is made at the next check', async () => {
    const { stops, venue, svc, id } = await protectedLong('spottrail', { TRAIL_MODE: 'percent' });
    const before = svc.manager.record(id);

    venue.failCancel = true;
    await stops.bar('spottrail', 110);
    // The old stop stays the record's; the move waits, stored, for its cancel.
    expect(svc.manager.record(id)).toEqual({
      ...before,
      pendingMove: { stopPrice: 107.8, qty: 1, why: expect.stringContaining('trailing to 107.8') },
    });
    expect(venue.openStops()).toMatchObject([{ ...fallback, clientOrderId: before?.clientOrderId }]);
    expect(stops.closes('spottrail')).toEqual([]);

    venue.failCancel = false;
    await svc.manager.verifyLive();
    // Trailed 2 % under the bar's close.
    expect(venue.openStops()).toMatchObject([{ qty: 1, stopPrice: 107.8, status: 'open' }]);
    expect(svc.manager.record(id)).toMatchObject({
      stopPrice: 107.8,
      verified: true,
      clientOrderId: venue.openStops()[0]?.clientOrderId,
    });
    expect(await svc.coverage()).toBe(1);
  });

  it('watches the tighter stop a move waits to place: a price through it closes the position, though the old stop is not reached', async () => {
    const { stops, venue, svc, id } = await protectedLong('spottighter', { TRAIL_MODE: 'percent' });
    venue.failCancel = true;
    await stops.bar('spottighter', 110);
    expect(svc.manager.record(id)).toMatchObject({ stopPrice: 98, pendingMove: { stopPrice: 107.8 } });

    // Under the trailed stop by more than the grace, far above the old one resting on the venue.
    await stops.trade('spottighter', 105);
    expect(stops.closes('spottighter')).toMatchObject([{ qty: 1 }]);
    expect(stops.stopEvents.filter((e) => e.positionId === id && e.kind === 'triggered')).toMatchObject([
      { detail: expect.stringContaining('crossed stop 107.8') },
    ]);
  });

  it('re-places no stop it cannot read at start: the periodic check verifies the one resting', async () => {
    const { stops, venue, svc, id } = await protectedLong('spotstart');
    const placed = svc.manager.record(id)?.clientOrderId;
    await svc.manager.stop();

    venue.failFetch = true;
    venue.failCancel = true;
    const restarted = await stops.start(venue);
    expect(restarted.manager.record(id)).toMatchObject({ clientOrderId: placed, verified: false });
    expect(await restarted.coverage()).toBe(0);
    expect(venue.openStops()).toMatchObject([{ ...fallback, clientOrderId: placed }]);
    expect(stops.closes('spotstart')).toEqual([]);

    venue.failFetch = false;
    venue.failCancel = false;
    await restarted.manager.verifyLive();
    expect(restarted.manager.record(id)).toMatchObject({ clientOrderId: placed, verified: true });
    expect(await restarted.coverage()).toBe(1);
  });

  it('after a crash between a placement and its record, the restart looks up the id the venue refuses as a duplicate', async () => {
    const { stops, venue, svc, id } = await protectedLong('spotcrash', { TRAIL_MODE: 'percent' });
    const stored = svc.manager.record(id);
    // The move's new stop reaches the venue and the process dies before it stores the record.
    venue.hangAfterPlacing = true;
    await stops.bar('spotcrash', 110, { settle: false });
    await expect.poll(() => venue.openStops()[0]?.stopPrice).toBe(107.8);
    const sent = stopOrderId('bl-', id, (stored?.seq ?? 0) + 1);
    // The placement was stored before it was sent: its id, seq and price.
    expect((await stops.row(id))?.state).toMatchObject({
      seq: (stored?.seq ?? 0) + 1,
      stopPrice: 107.8,
      sending: sent,
    });

    const restarted = await stops.start(venue);
    const record = restarted.manager.record(id);
    // The trailed stop was found under the id sent again and adopted: one stop, the trail kept.
    expect(venue.openStops()).toMatchObject([
      { qty: 1, stopPrice: 107.8, status: 'open', clientOrderId: sent },
    ]);
    expect(record).toMatchObject({
      clientOrderId: sent,
      sending: null,
      stopPrice: 107.8,
      verified: true,
      closing: null,
    });
    expect(stops.closes('spotcrash')).toEqual([]);
  });
});

describe('stops: a stop sent under an earlier id before a restart', () => {
  it('keeps it to cancel when its cancel fails, and cancels it after the next restart: no stray stop locks the coins', async () => {
    const venueId = 'spotsentold';
    const stops = await NatsStops.create(db());
    // 1 BTC held, a position of 0.5: room for the stray stop beside the position's own.
    const venue = new SpotStopVenue(venueId, rules, 1);
    const svc = await stops.start(venue, { TRAIL_MODE: 'percent' });
    await stops.position(venueId, 0.5);
    const id = positionId(venueId);
    const own = svc.manager.record(id);
    expect(own).toMatchObject({ verified: true });
    await svc.manager.stop();
    // A placement under an id that is no longer the record's seq's reached the venue; its answer was
    // never stored, the record still names it as sent.
    const stray = stopOrderId('bl-', id, 90);
    await venue.placeStop({
      clientOrderId: stray,
      symbol: 'BTC-USDT',
      side: 'sell',
      qty: 0.5,
      stopPrice: 97,
      reduceOnly: false,
    });
    const row = await stops.row(id);
    if (!row) throw new Error('no stored record');
    await stops.records.save(row.state, 'active', { ...row.state, sending: stray });

    // Restarted, the trail's placement meets the stray first and cannot cancel it.
    venue.failCancelOf.add(stray);
    const restarted = await stops.start(venue, { TRAIL_MODE: 'percent' });
    await stops.bar(venueId, 110);
    await waitFor(
      async () => (await stops.row(`${id}~${stray}`))?.status === 'active',
      'the stray kept in a row of its own',
    );
    expect(venue.openStops().map((s) => s.clientOrderId)).toContain(stray);

    // Restarted again before any check could cancel it: the stray's own row brings it back.
    await restarted.manager.stop();
    const again = await stops.start(venue, { TRAIL_MODE: 'percent' });
    venue.failCancelOf.clear();
    await again.manager.verifyLive();
    expect(venue.openStops().map((s) => s.clientOrderId)).not.toContain(stray);
    expect((await stops.row(`${id}~${stray}`))?.status).toBe('closed');
    expect(again.manager.record(id)).toMatchObject({ verified: true, sending: null });
    expect(stops.closes(venueId)).toEqual([]);
  });
});

describe('stops: a crash after a retried placement reached the venue', () => {
  it("adopts at restart the stop of the attempt the venue took, not the earlier attempt's id: one stop, nothing flattened", async () => {
    const { stops, venue, svc, id } = await protectedLong('spotcrashretry', { TRAIL_MODE: 'percent' });
    const stored = svc.manager.record(id);
    // The trail's first attempt is refused (rate limited); the second reaches the venue and the process
    // dies before it stores the record. On spot that stop locks the 1 BTC held.
    venue.refusals = 1;
    venue.hangAfterPlacing = true;
    await stops.bar('spotcrashretry', 110, { settle: false });
    await expect.poll(() => venue.openStops()[0]?.stopPrice).toBe(107.8);
    const resting = venue.openStops()[0]?.clientOrderId;
    expect(resting).toBe(stopOrderId('bl-', id, (stored?.seq ?? 0) + 2));

    const restarted = await stops.start(venue);
    const record = restarted.manager.record(id);
    expect(venue.openStops()).toMatchObject([
      { qty: 1, stopPrice: 107.8, status: 'open', clientOrderId: resting },
    ]);
    expect(record).toMatchObject({ clientOrderId: resting, stopPrice: 107.8, verified: true, closing: null });
    expect(stops.closes('spotcrashretry')).toEqual([]);
  });
});

describe("stops: a crash while an entry's first stop is placed", () => {
  it("keeps the intent's stop and take-profit ladder: the record stored first is protected at start", async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotintentcrash', rules, 1);
    await stops.start(venue);
    await stops.approveLong('spotintentcrash', 'test', 'chain-crash', 95, [110]);
    const id = positionId('spotintentcrash');
    // The stop reaches the venue and the process dies before the placement stores the record.
    venue.hangAfterPlacing = true;
    const opening = { strategy: 'test', chain: 'chain-crash' };
    await stops.position('spotintentcrash', 1, 100, 'opened', opening, { settle: false });
    await expect.poll(() => venue.openStops()[0]?.stopPrice).toBe(95);
    expect((await stops.row(id))?.state).toMatchObject({
      clientOrderId: null,
      stopPrice: 95,
      intentId: 'i-chain-crash',
      ladder: { levels: [110] },
    });

    const restarted = await stops.start(venue);
    const record = restarted.manager.record(id);
    expect(record).toMatchObject({
      stopPrice: 95,
      ladder: { levels: [110] },
      awaiting: null,
      verified: true,
      closing: null,
    });
    // The stop that landed was found under the id sent again: one stop, at the intent's price.
    expect(venue.openStops()).toMatchObject([
      { qty: 1, stopPrice: 95, status: 'open', clientOrderId: record?.clientOrderId },
    ]);
    expect(stops.closes('spotintentcrash')).toEqual([]);
  });
});

describe('stops: an entry fill is protected even when what its stop is planned from cannot be read', () => {
  it('counts a position whose market rules are unreadable at its fill as unprotected, alerts, and protects it at the next check', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotrules', rules, 1);
    const svc = await stops.start(venue);
    venue.failRules = true;
    await stops.position('spotrules', 1);
    await stops.position('spotrules', 1);

    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 0 });
    expect(await svc.coverage()).toBe(0);
    expect(stops.alerts).toMatchObject([
      { severity: 'critical', kind: 'stop_not_planned', labels: { positionId: positionId('spotrules') } },
    ]);
    expect(venue.openStops()).toEqual([]);

    venue.failRules = false;
    stops.records.failGets = 1;
    await svc.manager.verifyLive();
    expect(await svc.coverage()).toBe(1);
    expect(venue.openStops()).toMatchObject([fallback]);
    expect(svc.manager.record(positionId('spotrules'))).toMatchObject({ verified: true, seq: 2 });
    expect(stops.records.failGets).toBe(0);
    // Everything the check published has arrived: still the one alert.
    await stops.idle();
    expect(stops.alerts).toHaveLength(1);
  });
});

describe('stops: the flatten after a failed placement is followed as any close', () => {
  it('re-sends a flatten the orders service did not carry out, then alerts that the position cannot be closed', async () => {
    const stops = await NatsStops.create(db());
    // Nothing to lock: the venue refuses every stop.
    const venue = new SpotStopVenue('spotbare', rules, 0);
    const svc = await stops.start(venue, { CLOSE_CONFIRM_MS: '30000', CLOSE_ATTEMPTS: '2' });
    await stops.position('spotbare', 1);
    expect(stops.closes('spotbare')).toHaveLength(1);
    expect(svc.manager.record(positionId('spotbare'))).toMatchObject({ closing: { attempts: 1 } });

    stops.clock.advance(30_000);
    await stops.trade('spotbare', 99);
    expect(stops.closes('spotbare')).toMatchObject([{ qty: 1 }, { qty: 1, reduceOnly: true }]);
    stops.clock.advance(30_000);
    await stops.trade('spotbare', 99);
    expect(stops.closes('spotbare')).toHaveLength(2);
    expect(stops.alerts.map((a) => a.kind)).toEqual([
      'stop_placement_failed',
      'close_unconfirmed',
      'close_failed',
    ]);
  });

  it('re-sends it at the periodic check when no price prints (market data down), as on a trade', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotquiet', rules, 0);
    const svc = await stops.start(venue, { CLOSE_CONFIRM_MS: '30000', CLOSE_ATTEMPTS: '2' });
    await stops.position('spotquiet', 1);
    expect(stops.closes('spotquiet')).toHaveLength(1);

    // No trade nor candle arrives: only the periodic read-back runs.
    stops.clock.advance(30_000);
    await svc.manager.verifyLive();
    await stops.idle();
    expect(stops.closes('spotquiet')).toMatchObject([{ qty: 1 }, { qty: 1, reduceOnly: true }]);
    stops.clock.advance(30_000);
    await svc.manager.verifyLive();
    await stops.idle();
    expect(stops.closes('spotquiet')).toHaveLength(2);
    expect(stops.alerts.map((a) => a.kind)).toEqual([
      'stop_placement_failed',
      'close_unconfirmed',
      'close_failed',
    ]);
  });
});

describe('stops: a kill with flatten holds the stops while the orders service sells', () => {
  const kill = { flatten: true, reason: 'operator', requestedBy: 'cli' };

  it('counts held stops unverified and re-places none while the flatten runs; a position left open is alerted and protected again', async () => {
    const { stops, venue, svc, id } = await protectedLong('spotkill', { TRAIL_MODE: 'percent' });
    const killed = await stops.kill(kill);
    expect(await svc.coverage()).toBe(0);
    expect(svc.manager.record(id)).toMatchObject({ verified: false });

    // The orders service cancels the stop to sell the coins it locks; the sale is refused.
    const held = svc.manager.record(id)?.clientOrderId as string;
    await venue.cancelStop('BTC-USDT', held);
    await svc.manager.verifyLive();
    await stops.bar('spotkill', 110);
    expect(venue.openStops()).toEqual([]);
    expect(stops.alerts).toEqual([]);
    expect(stops.closes('spotkill')).toEqual([]);

    await stops.flattenReported(killed.id, false, 'flatten: BTC-USDT NOT flat: 1 BTC');
    expect(stops.alerts.map((a) => a.kind)).toEqual(['flatten_incomplete', 'stop_lost']);
    expect(venue.openStops()).toMatchObject([fallback]);
    expect(await svc.coverage()).toBe(1);
  });

  it('waits for the closed events of a flatten reported flat, and alerts on a position still open after CLOSE_CONFIRM_MS', async () => {
    const { stops, venue, svc, id } = await protectedLong('spotflat', { CLOSE_CONFIRM_MS: '30000' });
    const killed = await stops.kill(kill);
    await venue.cancelStop('BTC-USDT', svc.manager.record(id)?.clientOrderId as string);
    await stops.flattenReported(killed.id, true, 'flatten: BTC-USDT flat');
    stops.clock.advance(29_000);
    await stops.trade('spotflat', 99);
    expect(stops.alerts).toEqual([]);
    expect(venue.openStops()).toEqual([]);

    stops.clock.advance(1_000);
    await stops.trade('spotflat', 99);
    expect(stops.alerts.map((a) => a.kind)).toEqual(['flatten_incomplete', 'stop_lost']);
    expect(venue.openStops()).toMatchObject([fallback]);
  });

  it('puts back no held stop when restarted while the flatten runs; the report after the restart ends the hold', async () => {
    const overrides = { CLOSE_CONFIRM_MS: '30000', FLATTEN_HOLD_MAX_MS: '600000' };
    const { stops, venue, svc, id } = await protectedLong('spotholdrestart', overrides);
    const killed = await stops.kill(kill);
    // The orders service cancels the stop right before its close goes out.
    await venue.cancelStop('BTC-USDT', svc.manager.record(id)?.clientOrderId as string);
    await svc.manager.stop();

    // Restarted (a deploy, a crash) while the flatten still runs: no stop locks the coins it sells.
    const restarted = await stops.start(venue, overrides);
    expect(venue.openStops()).toEqual([]);
    expect(restarted.manager.record(id)).toMatchObject({ verified: false });
    expect(await restarted.coverage()).toBe(0);

    await stops.flattenReported(killed.id, false, 'flatten: BTC-USDT NOT flat: 1 BTC');
    expect(stops.alerts.map((a) => a.kind)).toEqual(['flatten_incomplete', 'stop_lost']);
    expect(venue.openStops()).toMatchObject([fallback]);
    expect(await restarted.coverage()).toBe(1);
  });

  it("holds on through another venue's report of the same kill; its own venue's report ends the hold", async () => {
    const { stops, venue, svc, id } = await protectedLong('spotmine', { CLOSE_CONFIRM_MS: '30000' });
    const killed = await stops.kill(kill);
    await venue.cancelStop('BTC-USDT', svc.manager.record(id)?.clientOrderId as string);
    // The other trading account's orders service answers the same kill: its account is flat.
    await stops.flattenReported(killed.id, true, 'flatten: ETH-USDT flat', 'spotother');
    stops.clock.advance(30_000);
    await stops.trade('spotmine', 99);
    // Only the alert on a flatten not reported in time: the stop stays held.
    expect(stops.alerts.map((a) => a.kind)).toEqual(['flatten_incomplete']);
    expect(venue.openStops()).toEqual([]);

    await stops.flattenReported(killed.id, false, 'flatten: BTC-USDT NOT flat: 1 BTC', 'spotmine');
    expect(stops.alerts.map((a) => a.kind)).toEqual([
      'flatten_incomplete',
      'flatten_incomplete',
      'stop_lost',
    ]);
    expect(venue.openStops()).toMatchObject([fallback]);
  });

  it('says nothing of a flatten reported flat whose position closes', async () => {
    const { stops, venue, svc, id } = await protectedLong('spotgone', { CLOSE_CONFIRM_MS: '30000' });
    const killed = await stops.kill(kill);
    await venue.cancelStop('BTC-USDT', svc.manager.record(id)?.clientOrderId as string);
    await stops.flattenReported(killed.id, true, 'flatten: BTC-USDT flat');
    await stops.position('spotgone', 0, 100, 'closed');
    stops.clock.advance(30_000);
    await stops.trade('spotgone', 99);
    expect(svc.manager.record(id)).toBeUndefined();
    expect(stops.alerts).toEqual([]);
    expect(venue.openStops()).toEqual([]);
    expect(await svc.coverage()).toBe(1);
  });
});

describe('stops: an opening decision read after its fill', () => {
  it("never moves a trailed fallback stop back to the intent's looser stop", async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotlate', rules, 1);
    const svc = await stops.start(venue, { TRAIL_MODE: 'percent' });
    const opening = { strategy: 'trend', chain: 'late-chain' };
    await stops.position('spotlate', 1, 100, 'opened', opening);
    expect(venue.openStops()).toMatchObject([fallback]);
    await stops.bar('spotlate', 110);
    expect(venue.openStops()).toMatchObject([{ qty: 1, stopPrice: 107.8 }]);

    await stops.approveLong('spotlate', opening.strategy, opening.chain, 95);
    expect(svc.manager.record(positionId('spotlate'))).toMatchObject({
      intentId: 'i-late-chain',
      awaiting: null,
      stopPrice: 107.8,
      verified: true,
    });
    expect(venue.openStops()).toMatchObject([{ qty: 1, stopPrice: 107.8 }]);
  });
});

describe('stops: a take-profit whose stop cannot be moved', () => {
  it('sells nothing and leaves the stop on the whole position; the next price at the level takes profit', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spottp', rules, 1);
    const svc = await stops.start(venue);
    const opening = { strategy: 'trend', chain: 'tp-chain' };
    await stops.approveLong('spottp', opening.strategy, opening.chain, 95, [110]);
    await stops.position('spottp', 1, 100, 'opened', opening);
    expect(venue.openStops()).toMatchObject([{ qty: 1, stopPrice: 95 }]);

    venue.failCancel = true;
    await stops.trade('spottp', 110);
    expect(stops.closes('spottp')).toEqual([]);
    venue.failCancel = false;
    await svc.manager.verifyLive();
    expect(venue.openStops()).toMatchObject([{ qty: 1, stopPrice: 95 }]);
    expect(svc.manager.record(positionId('spottp'))).toMatchObject({
      qty: 1,
      takeProfit: null,
      verified: true,
    });

    await stops.trade('spottp', 110);
    expect(venue.openStops()).toMatchObject([{ qty: 0.5, status: 'open' }]);
    expect(stops.closes('spottp')).toMatchObject([{ qty: 0.5, reduceOnly: true }]);
  });
});

describe('stops: a take-profit whose sale is refused again and again', () => {
  it('tries once more at the next price, then only CLOSE_CONFIRM_MS after the last refusal: each try moves the stop twice', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spottpnever', rules, 1);
    const svc = await stops.start(venue, { CLOSE_CONFIRM_MS: '30000' });
    const opening = { strategy: 'trend', chain: 'tpnever-chain' };
    await stops.approveLong('spottpnever', opening.strategy, opening.chain, 95, [110]);
    await stops.position('spottpnever', 1, 100, 'opened', opening);
    /** The orders service refuses the newest sale (the venue's minimum notional at its 5-minute average). */
    const refuseLast = async () => {
      const sale = stops.closes('spottpnever').at(-1);
      if (!sale) throw new Error('no sale');
      await stops.unfilled(sale, {
        status: 'rejected',
        reason: 'min_notional',
        detail: 'Filter failure: MIN_NOTIONAL',
      });
    };

    await stops.trade('spottpnever', 110);
    await refuseLast();
    // A refusal may pass: the next price tries again.
    await stops.trade('spottpnever', 110.5);
    expect(stops.closes('spottpnever')).toHaveLength(2);
    await refuseLast();
    expect(venue.openStops()).toMatchObject([{ qty: 1, status: 'open' }]);
    const placements = venue.placements;

    // Refused twice in a row: the prices that follow move no stop and send no sale...
    for (const price of [110.5, 111, 111.2]) await stops.trade('spottpnever', price);
    expect(stops.closes('spottpnever')).toHaveLength(2);
    expect(venue.placements).toBe(placements);
    expect(svc.manager.record(positionId('spottpnever'))).toMatchObject({ qty: 1, verified: true });
    // ...until CLOSE_CONFIRM_MS after the last refusal.
    stops.clock.advance(30_000);
    await stops.trade('spottpnever', 111);
    expect(stops.closes('spottpnever')).toMatchObject([{ qty: 0.5 }, { qty: 0.5 }, { qty: 0.5 }]);
  });
});

describe('stops: a stop the venue executes or will not cancel is followed, not forgotten', () => {
  it('counts a stop found executing when it is to be moved as no protection, and follows its execution', async () => {
    const { stops, venue, svc, id } = await protectedLong('spotexec', { TRAIL_MODE: 'percent' });
    // The venue executes the stop (a print at it, within its limit); a bar's close then asks for a move.
    await venue.paper.observePrice('BTC-USDT', 98);
    await stops.bar('spotexec', 110);
    expect(svc.manager.record(id)).toMatchObject({ verified: false, stopPrice: 98 });
    expect(await svc.coverage()).toBe(0);

    await svc.manager.verifyLive();
    expect(svc.manager.record(id)).toMatchObject({ closing: { byVenue: true } });
    expect(stops.closes('spotexec')).toEqual([]);
  });

  it("cancels a closed position's stop at the next check when the cancel at its close failed", async () => {
    const { stops, venue, svc, id } = await protectedLong('spotleft');
    const placed = svc.manager.record(id)?.clientOrderId;
    venue.failCancel = true;
    await stops.position('spotleft', 0, 100, 'closed');
    expect(svc.manager.record(id)).toBeUndefined();
    expect(venue.openStops()).toMatchObject([{ clientOrderId: placed, status: 'open' }]);

    await svc.manager.verifyLive();
    expect(venue.openStops()).toHaveLength(1);
    venue.failCancel = false;
    await svc.manager.verifyLive();
    await stops.idle();
    expect(venue.openStops()).toEqual([]);
    expect(stops.eventsOf('cancelled')).toMatchObject([{ positionId: id, clientOrderId: placed }]);
    await svc.manager.verifyLive();
    await stops.idle();
    expect(stops.eventsOf('cancelled')).toHaveLength(1);
  });
});

describe('stops: what reconciliation finds uncovered (spot venue)', () => {
  it('moves a stop that covers less than the position in our books onto all of it, alerted once', async () => {
    const stops = await NatsStops.create(db());
    // 2 BTC held, 1 of them in the record: a growth whose position event was missed.
    const venue = new SpotStopVenue('spotshort', rules, 2);
    const svc = await stops.start(venue);
    await stops.position('spotshort', 1);
    const id = positionId('spotshort');
    const short = svc.manager.record(id)?.clientOrderId ?? null;
    await stops.missingStop('spotshort', id, short, { coverage: 'short', positionQty: 2 });

    expect(venue.openStops()).toMatchObject([{ qty: 2, stopPrice: 98, status: 'open' }]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 2, verified: true });
    // Reported again before the next run reads the new stop: it covers all of it already.
    await stops.missingStop('spotshort', id, short, { coverage: 'short', positionQty: 2 });
    expect(venue.openStops()).toMatchObject([{ qty: 2, status: 'open' }]);
    expect(stops.alerts.filter((a) => a.kind === 'stop_qty_short')).toHaveLength(1);
  });

  it('alerts once on a position no record names, however many runs report it', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spotunrecorded', rules, 1);
    await stops.start(venue);
    for (let run = 0; run < 3; run++)
      await stops.missingStop('spotunrecorded', positionId('spotunrecorded'), null, {
        coverage: 'unrecorded',
        positionQty: 0.5,
      });

    // The alerts are read by the test's own subscription: waited for, the three runs' all published.
    const unrecorded = () => stops.alerts.filter((a) => a.kind === 'stop_unrecorded');
    await waitFor(() => unrecorded().length > 0, 'alert on the unrecorded position');
    const alerted = unrecorded();
    expect(alerted).toHaveLength(1);
    expect(alerted[0]).toMatchObject({
      severity: 'critical',
      labels: { exchange: 'spotunrecorded', symbol: 'BTC-USDT', positionId: positionId('spotunrecorded') },
    });
  });
});
