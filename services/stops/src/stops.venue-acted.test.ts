import type { OrderCommand } from '@ballast/contracts';
import type { StopOrder } from '@ballast/exchange';
import { describe, expect, it } from 'vitest';
import { fileDatabase } from './testing/file-database';
import { NatsStops } from './testing/nats-stops';
import { SpotStopVenue } from './testing/spot-stop-venue';

// The stops service on NATS JetStream and PostgreSQL (each test its own prefix and streams, this file
// its own database), on a spot venue that acts on a stop at the moment the service acts on it too:
// what the venue answers says what the stop sold, and only the rest is closed.
const db = fileDatabase('stopsvenueacted');

// A spot account holding 1 BTC: a resting sell stop locks it.
const rules = { tickSize: 0.01, stepSize: 0.001, minQty: 0.001, minNotional: 5 };
const positionId = (venue: string) => `${venue}:BTC-USDT`;

/** The quantities of the closes sent for `venue`. */
const closedQty = (stops: NatsStops, venue: string) =>
  stops.closes(venue).map((c: OrderCommand) => (c.kind === 'submit' ? c.qty : null));

/** A long of 1 BTC entered at 100 (fallback stop 98 on all of it), verified; the venue's stop. */
async function protectedLong(venueId: string, overrides: Record<string, string> = {}) {
  const stops = await NatsStops.create(db());
  const venue = new SpotStopVenue(venueId, rules, 1);
  const svc = await stops.start(venue, overrides);
  await stops.position(venueId, 1);
  const stop = venue.openStops()[0] as StopOrder;
  expect(stop).toMatchObject({ qty: 1, stopPrice: 98, status: 'open' });
  return { stops, venue, svc, id: positionId(venueId), stop };
}

describe('stops: the local monitor reads what the cancel of the venue stop answers', () => {
  it('sends no close when the venue executed the stop between its read-back and the cancel', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotrace');
    // Read back still open; by the cancel the venue has filled it (Binance answers -2011, and the
    // venue's cancelStop then reads the order: FILLED, shown triggered with all of it filled).
    venue.cancelStop = async () => ({ ...stop, status: 'triggered', filledQty: stop.qty });
    await stops.trade('spotrace', 97);

    expect(stops.closes('spotrace')).toEqual([]);
    expect(svc.manager.record(id)).toMatchObject({ closing: { byVenue: true }, clientOrderId: null });
  });

  it('closes only what a stop cancelled after a partial fill left', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotracepart');
    venue.cancelStop = async () => ({ ...stop, status: 'cancelled', filledQty: 0.4 });
    await stops.trade('spotracepart', 97);

    expect(closedQty(stops, 'spotracepart')).toEqual([0.6]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.6, closing: { byVenue: false } });
  });

  it('re-sends a close only for what the stop left when it filled part before its second cancel', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotresend', { CLOSE_CONFIRM_MS: '30000' });
    // The cancel before the local close fails: the stop is kept, the full close goes out.
    venue.failCancel = true;
    await stops.trade('spotresend', 97);
    expect(closedQty(stops, 'spotresend')).toEqual([1]);
    expect(svc.manager.record(id)).toMatchObject({ clientOrderId: stop.clientOrderId });

    // Unconfirmed: the stop is cancelled again before the re-sent close; it had sold 0.4 meanwhile.
    venue.failCancel = false;
    venue.cancelStop = async () => ({ ...stop, status: 'cancelled', filledQty: 0.4 });
    stops.clock.advance(30_000);
    await stops.trade('spotresend', 97);
    expect(closedQty(stops, 'spotresend')).toEqual([1, 0.6]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.6, clientOrderId: null });
  });

  it('re-sends no close when the stop it cancels again was executed in full meanwhile', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotresendx', {
      CLOSE_CONFIRM_MS: '30000',
    });
    venue.failCancel = true;
    await stops.trade('spotresendx', 97);
    expect(closedQty(stops, 'spotresendx')).toEqual([1]);

    venue.failCancel = false;
    venue.cancelStop = async () => ({ ...stop, status: 'triggered', filledQty: stop.qty });
    stops.clock.advance(30_000);
    await stops.trade('spotresendx', 97);
    expect(closedQty(stops, 'spotresendx')).toEqual([1]);
    expect(svc.manager.record(id)).toMatchObject({ closing: { byVenue: true }, clientOrderId: null });
  });

  it('re-sends no close beside a stop it cancels again that is triggered and part filled, its limit resting', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotresting', {
      CLOSE_CONFIRM_MS: '30000',
    });
    venue.failCancel = true;
    await stops.trade('spotresting', 97);
    expect(closedQty(stops, 'spotresting')).toEqual([1]);

    // The second cancel finds the stop triggered, 0.4 sold, its limit still resting on the other 0.6: a
    // close now would sell the coins that limit locks (refused on spot, or sold twice once it fills).
    venue.failCancel = false;
    venue.cancelStop = async () => ({ ...stop, status: 'triggered', filledQty: 0.4 });
    stops.clock.advance(30_000);
    await stops.trade('spotresting', 97);
    expect(closedQty(stops, 'spotresting')).toEqual([1]);
    // Held until the limit is off: what the stop sold is counted once it sells no more.
    expect(svc.manager.record(id)).toMatchObject({
      qty: 1,
      clientOrderId: stop.clientOrderId,
      closing: { byVenue: false, attempts: 2 },
    });

    // The next cancel takes the limit off with nothing more sold: the 0.6 is closed.
    venue.cancelStop = async () => ({ ...stop, status: 'cancelled', filledQty: 0.4 });
    stops.clock.advance(30_000);
    await stops.trade('spotresting', 97);
    expect(closedQty(stops, 'spotresting')).toEqual([1, 0.6]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.6, clientOrderId: null });
  });

  it('a take-profit selling everything sells only what the stop cancelled for it left', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spottpall', rules, 1);
    const svc = await stops.start(venue, { TP_FRACTIONS: '1' });
    const opening = { strategy: 'trend', chain: 'tpall-chain' };
    await stops.approveLong('spottpall', opening.strategy, opening.chain, 95, [110]);
    await stops.position('spottpall', 1, 100, 'opened', opening);
    const stop = venue.openStops()[0] as StopOrder;
    expect(stop).toMatchObject({ qty: 1, stopPrice: 95 });

    venue.cancelStop = async () => ({ ...stop, status: 'cancelled', filledQty: 0.4 });
    await stops.trade('spottpall', 110);
    expect(closedQty(stops, 'spottpall')).toEqual([0.6]);
    expect(svc.manager.record(positionId('spottpall'))).toMatchObject({
      qty: 0.6,
      takeProfit: { qty: 0.6, keep: 0 },
    });
  });
});

/**
 * A long of 1 BTC at 100 (stop 98) on `venue`, holding 4, that doubled while the old stop could not be
 * cancelled: its stop on 1 rests, the move onto 2 waits.
 */
async function grownBehindStop(venue: SpotStopVenue) {
  const stops = await NatsStops.create(db());
  const svc = await stops.start(venue);
  await stops.position(venue.id, 1);
  venue.failCancel = true;
  await stops.position(venue.id, 2, 100, 'changed');
  expect(svc.manager.record(positionId(venue.id))).toMatchObject({ qty: 1, pendingMove: { qty: 2 } });
  return { stops, svc };
}

describe('stops: the local monitor closes all that is held', () => {
  it('closes the growth too when the stop it crossed still covered the size before an add', async () => {
    const venue = new SpotStopVenue('spotlocalgrow', rules, 4);
    const { stops, svc } = await grownBehindStop(venue);
    // The price goes through the stop (98) past the grace; the venue did not act, the cancel now succeeds.
    venue.failCancel = false;
    await stops.trade('spotlocalgrow', 97);
    expect(closedQty(stops, 'spotlocalgrow')).toEqual([2]);
    expect(svc.manager.record(positionId('spotlocalgrow'))).toMatchObject({
      qty: 2,
      pendingMove: null,
      closing: { byVenue: false },
    });
  });
});

describe('stops: a paper stop that executes smaller than the position', () => {
  /** The spot venue whose stops execute as prices print, as the paper venue's do. */
  class TriggeringSpot extends SpotStopVenue {
    observePrice(symbol: string, price: number): Promise<StopOrder[]> {
      return this.paper.observePrice(symbol, price);
    }
  }

  it('closes the growth with it, as a live stop executed smaller than the position is followed', async () => {
    const { stops, svc } = await grownBehindStop(new TriggeringSpot('paperstopgrow', rules, 4));
    // 97.9 goes through the stop (98), inside its limit: the paper stop on 1 executes.
    await stops.trade('paperstopgrow', 97.9);
    expect(closedQty(stops, 'paperstopgrow')).toEqual([2]);
    expect(svc.manager.record(positionId('paperstopgrow'))).toMatchObject({
      qty: 2,
      closing: { byVenue: false },
    });
  });
});

describe('stops: a take-profit whose stop sold part of the position before its move', () => {
  it('sells nothing and moves the stop onto all that is held, not onto what the sale was to keep', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('spottppart', rules, 1);
    const svc = await stops.start(venue);
    const opening = { strategy: 'trend', chain: 'tppart-chain' };
    await stops.approveLong('spottppart', opening.strategy, opening.chain, 95, [110, 120]);
    await stops.position('spottppart', 1, 100, 'opened', opening);
    const stop = venue.openStops()[0] as StopOrder;
    expect(stop).toMatchObject({ qty: 1, stopPrice: 95 });

    // TP1 moves the stop onto the 0.5 it keeps; the cancel finds the stop-limit sold 0.4 before it.
    const cancel = venue.cancelStop.bind(venue);
    venue.cancelStop = async (symbol, clientOrderId) => {
      venue.cancelStop = cancel;
      await cancel(symbol, clientOrderId);
      return { ...stop, status: 'cancelled', filledQty: 0.4 };
    };
    await stops.trade('spottppart', 110);

    // 0.6 is held: the sale is not sent (the next price at the level tries again) and the stop covers
    // all of the 0.6, not the 0.1 the 0.5 kept less the 0.4 sold (which left 0.5 under no stop).
    expect(closedQty(stops, 'spottppart')).toEqual([]);
    expect(venue.openStops()).toMatchObject([{ qty: 0.6, status: 'open' }]);
    expect(svc.manager.record(positionId('spottppart'))).toMatchObject({
      qty: 0.6,
      verified: true,
      takeProfit: null,
      ladder: { taken: 0 },
    });
  });
});

describe('stops: a stop the venue executed that was smaller than the position', () => {
  it('closes the rest of a position that grew while the old stop could not be cancelled', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotsmall');
    // An add: the stop is to move onto 1.5, but its cancel fails (the venue is executing it).
    venue.failCancel = true;
    await stops.position('spotsmall', 1.5, 100, 'changed');
    expect(svc.manager.record(id)).toMatchObject({ qty: 1, pendingMove: { qty: 1.5 } });

    // The old stop of 1 executes in full.
    venue.fetchStop = async () => ({ ...stop, status: 'triggered', filledQty: stop.qty });
    await stops.trade('spotsmall', 97);
    expect(closedQty(stops, 'spotsmall')).toEqual([0.5]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.5, closing: { byVenue: false } });
  });

  it('closes the rest of a grown position whose old stop the cancel before the move found executing', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotsmallx');
    // The cancel before the move onto 1.5 answers as Binance's does for a stop filling: triggered.
    const executing = { ...stop, status: 'triggered' as const, filledQty: stop.qty };
    venue.cancelStop = async () => executing;
    await stops.position('spotsmallx', 1.5, 100, 'changed');
    expect(stops.closes('spotsmallx')).toEqual([]);

    // Its read-back follows the execution: the 0.5 it did not cover is closed.
    venue.fetchStop = async () => executing;
    await stops.trade('spotsmallx', 97);
    expect(closedQty(stops, 'spotsmallx')).toEqual([0.5]);
    expect(svc.manager.record(id)).toMatchObject({
      qty: 0.5,
      closing: { byVenue: false },
      pendingMove: null,
    });
  });

  it('closes what is left once our books hold the fill, when the growth is read after the execution', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotlategrow');
    venue.fetchStop = async () => ({ ...stop, status: 'triggered', filledQty: stop.qty });
    await stops.trade('spotlategrow', 97);
    expect(svc.manager.record(id)).toMatchObject({ closing: { byVenue: true } });
    expect(stops.closes('spotlategrow')).toEqual([]);

    // An add booked before the stop's fill: the position grows to 1.5; nothing to close yet.
    await stops.position('spotlategrow', 1.5, 100, 'changed');
    expect(stops.closes('spotlategrow')).toEqual([]);
    // Reconciliation books the stop's fill: 0.5 left, closed at market.
    await stops.position('spotlategrow', 0.5, 100, 'changed');
    expect(closedQty(stops, 'spotlategrow')).toEqual([0.5]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.5, closing: { byVenue: false } });
  });

  it('waits, closing nothing, while the fill of a stop that covered the position is booked in parts', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotparts');
    venue.fetchStop = async () => ({ ...stop, status: 'triggered', filledQty: stop.qty });
    await stops.trade('spotparts', 97);
    await stops.position('spotparts', 0.4, 100, 'changed');
    expect(stops.closes('spotparts')).toEqual([]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.4, closing: { byVenue: true } });
    await stops.position('spotparts', 0, 100, 'closed');
    expect(svc.manager.record(id)).toBeUndefined();
    expect(stops.closes('spotparts')).toEqual([]);
  });
});

describe('stops: a stop the venue acted on while the service was down', () => {
  it('follows a stop executed in full, found at start: nothing placed again, the fill awaited', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotdownx');
    await svc.manager.stop();
    // The price went through 98 while the service was down: the venue sold all of it.
    const executed = { ...stop, status: 'triggered' as const, filledQty: stop.qty };
    venue.fetchStop = async () => executed;
    venue.cancelStop = async () => executed;
    const placements = venue.placements;

    const up = await stops.start(venue);
    await stops.idle();
    expect(stops.eventsOf('triggered').map((e) => e.detail)).toEqual([
      `venue executed the stop (${stop.venueOrderId})`,
    ]);
    expect(up.manager.record(id)).toMatchObject({ qty: 1, closing: { byVenue: true }, clientOrderId: null });
    expect(venue.placements).toBe(placements);
    expect(stops.closes('spotdownx')).toEqual([]);
  });

  it('closes only what a stop-limit left that sold 0.4 and rests past its limit, found at start', async () => {
    const { stops, venue, svc, id, stop } = await protectedLong('spotdownpart');
    await svc.manager.stop();
    // The stop triggered at 98, sold 0.4, and the price fell past its limit: the rest of it rests there.
    venue.fetchStop = async () => ({ ...stop, status: 'triggered', filledQty: 0.4 });
    venue.cancelStop = async () => ({ ...stop, status: 'cancelled', filledQty: 0.4 });

    const up = await stops.start(venue);
    await stops.idle();
    // Not a stop on the whole 1 (refused: the coins are sold or locked) and a flatten of all of it.
    expect(closedQty(stops, 'spotdownpart')).toEqual([0.6]);
    expect(stops.alerts.filter((a) => a.kind === 'stop_placement_failed')).toEqual([]);
    expect(up.manager.record(id)).toMatchObject({ qty: 0.6, closing: { byVenue: false } });
  });
});

describe('stops: a take-profit refused after the venue executed the stop on what it kept', () => {
  /**
   * A long of 1 BTC at 100 whose TP1 (110) is selling 0.5, the stop moved to breakeven (100.21) on the
   * 0.5 kept; before the sale is answered the price falls back through it and the venue sells the 0.5
   * kept. Returns the refusal of the sale, to send.
   */
  async function keptSoldByVenue(venueId: string) {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue(venueId, rules, 1);
    const svc = await stops.start(venue);
    const opening = { strategy: 'trend', chain: `${venueId}-chain` };
    await stops.approveLong(venueId, opening.strategy, opening.chain, 95, [110, 120]);
    await stops.position(venueId, 1, 100, 'opened', opening);
    await stops.trade(venueId, 110);
    const [sale] = stops.closes(venueId);
    if (sale?.kind !== 'submit') throw new Error('no TP1 sale');
    expect(sale.qty).toBe(0.5);
    const kept = venue.openStops()[0] as StopOrder;
    expect(kept).toMatchObject({ qty: 0.5, stopPrice: 100.21 });
    venue.fetchStop = async () => ({ ...kept, status: 'triggered', filledQty: kept.qty });
    await stops.trade(venueId, 100);
    expect(svc.manager.record(positionId(venueId))).toMatchObject({ closing: { byVenue: true } });
    const refuse = () =>
      stops.unfilled(sale, {
        status: 'rejected',
        reason: 'venue_unavailable',
        detail: 'Service unavailable',
      });
    return { stops, svc, id: positionId(venueId), refuse };
  }

  it('closes the half the sale did not sell once our books hold the stop fill', async () => {
    const { stops, svc, id, refuse } = await keptSoldByVenue('spottpgone');
    // Refused: the 0.5 it was to sell stays held, and no stop covers it.
    await refuse();
    expect(closedQty(stops, 'spottpgone')).toEqual([0.5]);
    // Reconciliation books the stop's fill: 1 -> 0.5, the unsold half, closed at market.
    await stops.position('spottpgone', 0.5, 100, 'changed');
    expect(closedQty(stops, 'spottpgone')).toEqual([0.5, 0.5]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.5, closing: { byVenue: false } });
  });

  it('closes it at once when the stop fill was booked before the refusal', async () => {
    const { stops, svc, id, refuse } = await keptSoldByVenue('spottpbooked');
    await stops.position('spottpbooked', 0.5, 100, 'changed');
    expect(closedQty(stops, 'spottpbooked')).toEqual([0.5]);
    await refuse();
    expect(closedQty(stops, 'spottpbooked')).toEqual([0.5, 0.5]);
    expect(svc.manager.record(id)).toMatchObject({ qty: 0.5, closing: { byVenue: false } });
  });
});
