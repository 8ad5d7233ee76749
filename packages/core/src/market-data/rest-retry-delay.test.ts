import { describe, expect, it } from 'vitest';
import { restRetryDelay } from './rest-retry-delay';

const opts = { baseMs: 500, capMs: 60_000, banWaitMs: 300_000 };
const plain = { banned: false, retryAfterMs: null };

describe('restRetryDelay', () => {
  it('backs off with jitter up to the cap, never below the base', () => {
    expect([0, 1, 2, 3].map((a) => restRetryDelay(a, opts, 0.5, plain))).toEqual([500, 500, 1_000, 2_000]);
    expect(restRetryDelay(0, opts, 0, plain)).toBe(500);
    expect(restRetryDelay(40, opts, 0.5, plain)).toBe(30_000);
  });

  it('waits at least what the venue asked in Retry-After', () => {
    expect(restRetryDelay(0, opts, 0.5, { banned: false, retryAfterMs: 7_000 })).toBe(7_000);
    expect(restRetryDelay(40, opts, 1, { banned: false, retryAfterMs: 7_000 })).toBe(60_000);
  });

  it('waits out a ban: its Retry-After, or the long default when it named none', () => {
    expect(restRetryDelay(0, opts, 0.5, { banned: true, retryAfterMs: 120_000 })).toBe(120_000);
    expect(restRetryDelay(0, opts, 0.5, { banned: true, retryAfterMs: null })).toBe(300_000);
  });
});
