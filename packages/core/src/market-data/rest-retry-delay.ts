import { type BackoffOptions, reconnectDelay } from './reconnect-delay';

export interface RestRetryOptions extends BackoffOptions {
  /** A ban (HTTP 418) that named no Retry-After: wait this long, as a ban lasts minutes at least. */
  banWaitMs: number;
}

/** What a failed REST call told us about waiting: whether it was a ban, and its Retry-After. */
export interface RestFailureWait {
  banned: boolean;
  retryAfterMs: number | null;
}

/**
 * How long to wait before asking a venue's REST again after `attempt` failures in a row: capped,
 * jittered backoff (at least `baseMs`), never sooner than the venue's Retry-After, and after a ban
 * never sooner than its Retry-After or else `banWaitMs` (every request during a ban prolongs it).
 */
export function restRetryDelay(
  attempt: number,
  options: RestRetryOptions,
  random01: number,
  failure: RestFailureWait,
): number {
  const backoff = Math.max(options.baseMs, reconnectDelay(attempt, options, random01));
  const asked = failure.retryAfterMs ?? (failure.banned ? options.banWaitMs : 0);
  return Math.max(backoff, asked);
}
