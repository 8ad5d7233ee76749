import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { fileDatabase } from './testing/file-database';
import { NatsStops } from './testing/nats-stops';
import { SpotStopVenue } from './testing/spot-stop-venue';

const db = fileDatabase('stopscov');
const rules = { tickSize: 0.01, stepSize: 0.001, minQty: 0.001, minNotional: 5 };

describe('stops: the coverage gauge and a stop smaller than the position', () => {
  it('counts a position unprotected while it grew and the move of its stop onto the growth waits for a cancel, and protected once the move is made', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('covgrow', rules, 4);
    const svc = await stops.start(venue);
    const slot = 'covgrow:BTC-USDT';
    await stops.position(venue.id, 1);
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
    expect(await svc.coverage()).toBe(1);

    // The position doubles; the old stop (on 1 BTC) cannot be cancelled, so the move onto 2 waits.
    venue.failCancel = true;
    await stops.position(venue.id, 2, 100, 'changed');
    expect(svc.manager.record(slot)).toMatchObject({ qty: 1, pendingMove: { qty: 2 } });
    expect(venue.openStops()).toMatchObject([{ qty: 1, status: 'open' }]);
    // Half of what is held rests under no stop: the position is not protected.
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 0 });
    expect(await svc.coverage()).toBe(0);

    // The periodic check makes the move once the venue cancels again: all of it is covered.
    venue.failCancel = false;
    await svc.manager.verifyLive();
    await stops.idle();
    expect(venue.openStops()).toMatchObject([{ qty: 2, status: 'open' }]);
    expect(svc.manager.record(slot)).toMatchObject({ qty: 2, pendingMove: null, verified: true });
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
    expect(await svc.coverage()).toBe(1);
  });
});

describe('stops: periodic checks slower than their interval', () => {
  it('queues at most one check behind the one running, so prices and fills are not held behind a growing backlog', async () => {
    const stops = await NatsStops.create(db());
    const venue = new SpotStopVenue('covslow', rules, 4);
    const svc = await stops.start(venue);
    await stops.position(venue.id, 1);

    // The venue answers read-backs only when the test lets it (a venue timing out at every read).
    const fetch = venue.fetchStop.bind(venue);
    let reads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    venue.fetchStop = async (symbol, clientOrderId) => {
      reads++;
      await gate;
      return fetch(symbol, clientOrderId);
    };
    const checks = [svc.manager.verifyLive()];
    await waitFor(() => reads === 1, 'the first check reading the stop back');
    // Four more intervals pass while it waits: one more check is queued, not four.
    for (let i = 0; i < 4; i++) checks.push(svc.manager.verifyLive());
    release();
    await Promise.all(checks);
    expect(reads).toBe(2);
    expect(svc.manager.coverage()).toEqual({ openPositions: 1, protectedPositions: 1 });
  });
});
