import { reconnectDelay } from '@ballast/core';
import type { Sleep } from './rate-limiter';

export interface RetryPolicy {
  /** Total tries, including the first. */
  attempts: number;
  baseMs: number;
  capMs: number;
}

export interface RetryDeps {
  retryable: (err: unknown) => boolean;
  /** The venue's own wait for this error (its Retry-After), 0 when it named none. */
  waitAtLeast?: (err: unknown) => number;
  sleep: Sleep;
  random01: () => number;
}

/**
 * Runs `fn`, retrying errors `retryable` accepts with capped, fully jittered backoff, never sooner
 * than the venue asked. An error whose asked wait exceeds the cap is not retried here: the caller,
 * which schedules its own retries, waits for it.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, deps: RetryDeps): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const asked = deps.waitAtLeast?.(err) ?? 0;
      if (attempt + 1 >= policy.attempts || !deps.retryable(err) || asked > policy.capMs) throw err;
      await deps.sleep(Math.max(asked, reconnectDelay(attempt, policy, deps.random01())));
    }
  }
}
