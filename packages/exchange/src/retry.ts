import { reconnectDelay } from '@ballast/core';
import type { Sleep } from './rate-limiter';

export interface RetryPolicy {
  /** Total tries, including the first. */
  attempts: number;
  baseMs: number;
  capMs: number;
}

/** Runs `fn`, retrying errors `retryable` accepts with capped, fully jittered backoff. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  deps: { retryable: (err: unknown) => boolean; sleep: Sleep; random01: () => number },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt + 1 >= policy.attempts || !deps.retryable(err)) throw err;
      await deps.sleep(reconnectDelay(attempt, policy, deps.random01()));
    }
  }
}
