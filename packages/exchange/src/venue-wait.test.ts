import { VirtualClock } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { withHttpFailure } from './http-failure';
import { MAX_VENUE_WAIT_MS, VenueWait } from './venue-wait';

const BAN_WAIT_MS = 120_000;

function venueWait(clock: VirtualClock) {
  return new VenueWait({
    venue: 'binance',
    clock,
    sleep: async (ms) => clock.advance(ms),
    maxSleepMs: 10_000,
    banWaitMs: BAN_WAIT_MS,
  });
}

const answered = (status: number, retryAfterMs: number | null) =>
  withHttpFailure(new Error(`HTTP ${status}`), { status, retryAfterMs });

describe('VenueWait', () => {
  it('holds a ban whose Retry-After is already past (an HTTP-date behind our clock) for the ban wait', () => {
    const clock = new VirtualClock(1_000_000);
    const wait = venueWait(clock);
    wait.note(answered(418, 0));
    expect(wait.blockedUntil()).toBe(1_000_000 + BAN_WAIT_MS);
  });

  it('caps an absurd Retry-After at three days, and still says until when in its refusal', async () => {
    const clock = new VirtualClock(1_000_000);
    const wait = venueWait(clock);
    wait.note(answered(429, 9e15));
    expect(wait.blockedUntil()).toBe(1_000_000 + MAX_VENUE_WAIT_MS);
    await expect(wait.pass('GET /api/v3/depth')).rejects.toMatchObject({
      reason: 'rate_limited',
      message: expect.stringContaining('1970-01-04T00:16:40.000Z'),
    });
  });
});
