import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from './retry-delay';

describe('retryDelayMs', () => {
  it('doubles from the base after each try, and never waits longer than the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(200, attempt))).toEqual([200, 400, 800, 1_600]);
    expect(retryDelayMs(200, 12)).toBe(MAX_RETRY_DELAY_MS);
    // 2^30 ms on the second try was past what a Node timer holds: it fired at once.
    expect(retryDelayMs(2 ** 30, 2)).toBe(MAX_RETRY_DELAY_MS);
  });
});
