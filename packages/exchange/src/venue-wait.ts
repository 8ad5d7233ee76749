import type { Clock } from '@ballast/contracts';
import { httpFailureOf } from './http-failure';
import type { Sleep } from './rate-limiter';
import { HTTP_BANNED, RestError } from './rest-error';

export interface VenueWaitDeps {
  venue: string;
  clock: Clock;
  sleep: Sleep;
  /** A wait at most this long is slept out before sending; a longer one fails the call at once. */
  maxSleepMs: number;
  /** An IP ban (HTTP 418) that named no Retry-After holds the venue this long. */
  banWaitMs: number;
}

/** How long an IP ban (HTTP 418) that named no Retry-After holds a venue, unless configured. */
export const DEFAULT_BAN_WAIT_MS = 300_000;

/** The longest wait a venue's answer can impose here: Binance's longest IP ban (3 days). */
export const MAX_VENUE_WAIT_MS = 3 * 86_400_000;

/**
 * The venue's own "not before" (an IP ban, a Retry-After), for every REST call to it: a ban answered
 * to one symbol's request bans the IP, and on Binance every request before it lifts prolongs it
 * (2 minutes up to 3 days). So once a response names a wait, no call is sent until it passes: a
 * short wait is slept out, a longer one fails the call with the venue's reason and the time left,
 * for the caller's own backoff.
 */
export class VenueWait {
  private until = 0;
  private reason: 'banned' | 'rate_limited' = 'rate_limited';

  constructor(private readonly deps: VenueWaitDeps) {}

  /** Epoch ms before which nothing is sent, or null when the venue may be asked now. */
  blockedUntil(): number | null {
    return this.until > this.deps.clock.now() ? this.until : null;
  }

  /** Records the wait a failed call's response named, if any; a wait only ever grows. */
  note(err: unknown): void {
    const http = httpFailureOf(err);
    if (!http) return;
    const banned = http.status === HTTP_BANNED;
    const named = http.retryAfterMs;
    // A ban that names no wait, or one already past (an HTTP-date behind our clock), still bans.
    const waitMs = banned && !(named !== null && named > 0) ? this.deps.banWaitMs : named;
    if (waitMs === null) return;
    const until = this.deps.clock.now() + Math.min(waitMs, MAX_VENUE_WAIT_MS);
    if (until <= this.until) return;
    this.until = until;
    this.reason = banned ? 'banned' : 'rate_limited';
  }

  /** Resolves once `what` may be sent; throws the venue's reason while a long wait holds it. */
  async pass(what: string): Promise<void> {
    for (let left = this.leftMs(); left > 0; left = this.leftMs()) {
      if (left > this.deps.maxSleepMs)
        throw new RestError(
          this.reason,
          `${what} not sent: ${this.deps.venue} asked us to wait until ${new Date(this.until).toISOString()}`,
          { retryAfterMs: left },
        );
      await this.deps.sleep(left);
    }
  }

  private leftMs(): number {
    return Math.max(0, this.until - this.deps.clock.now());
  }
}
