import { VirtualClock } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { LoginRateLimiter, MAX_LOCKOUT_MS } from './login-rate-limiter';

const WINDOW = 60_000;
const locked = (retryAfterMs: number) => ({ ok: false, key: 'user', retryAfterMs });

/** `n` logins with a wrong password for `user`, each let through and refused by the password check. */
function guess(limiter: LoginRateLimiter, user: string, n: number, ip = '203.0.113.7'): void {
  for (let i = 0; i < n; i++) {
    expect(limiter.attempt(ip, user)).toEqual({ ok: true });
    limiter.failed(user);
  }
}

describe('LoginRateLimiter lockout', () => {
  const limits = { windowMs: WINDOW, maxPerIp: 1_000, maxPerUser: 3 };

  it('locks a name longer each time its guessing resumes, not one more window at a time', () => {
    const clock = new VirtualClock(0);
    const limiter = new LoginRateLimiter(clock, limits);
    guess(limiter, 'olivia', 3);
    expect(limiter.attempt('203.0.113.7', 'olivia')).toEqual(locked(WINDOW));
    clock.advance(WINDOW);
    guess(limiter, 'olivia', 3);
    // A new window used to let three more guesses through; the second lock is twice the first.
    clock.advance(WINDOW);
    expect(limiter.attempt('203.0.113.7', 'olivia')).toEqual(locked(WINDOW));
    clock.advance(WINDOW);
    guess(limiter, 'Olivia', 3);
    clock.advance(3 * WINDOW);
    expect(limiter.attempt('198.51.100.1', 'olivia')).toEqual(locked(WINDOW));
  });

  it('lifts the lock and its escalation with a correct password', () => {
    const clock = new VirtualClock(0);
    const limiter = new LoginRateLimiter(clock, limits);
    guess(limiter, 'olivia', 3);
    clock.advance(WINDOW);
    guess(limiter, 'olivia', 2);
    expect(limiter.attempt('203.0.113.7', 'olivia')).toEqual({ ok: true });
    limiter.succeeded('olivia');
    guess(limiter, 'olivia', 3);
    clock.advance(WINDOW);
    // The first lock again (one window), not the second.
    expect(limiter.attempt('203.0.113.7', 'olivia')).toEqual({ ok: true });
  });

  it('locks for at most a day however long the guessing goes on', () => {
    const clock = new VirtualClock(0);
    const limiter = new LoginRateLimiter(clock, { ...limits, windowMs: 3_600_000 });
    for (let lock = 0; lock < 10; lock++) {
      guess(limiter, 'olivia', 3);
      const refused = limiter.attempt('203.0.113.7', 'olivia');
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.retryAfterMs).toBeLessThanOrEqual(MAX_LOCKOUT_MS);
        clock.advance(refused.retryAfterMs);
      }
    }
    guess(limiter, 'olivia', 3);
    expect(limiter.attempt('203.0.113.7', 'olivia')).toEqual(locked(MAX_LOCKOUT_MS));
  });
});
