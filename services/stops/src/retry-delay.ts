import { reconnectDelay } from '@ballast/core';

/** The longest wait between two tries of a stop placement: a position waits bare meanwhile. */
export const MAX_RETRY_DELAY_MS = 10_000;

/**
 * The wait after try `attempt` (1-based): RETRY_BASE_MS doubling, at most MAX_RETRY_DELAY_MS — core's
 * backoff at the top of its range, unjittered (one process retrying its own call spreads nothing).
 * Uncapped, PLACE_ATTEMPTS=12 left a position bare for minutes between the last tries, and a delay past
 * 2^31 − 1 ms fired at once (a Node timer holds no more).
 */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return reconnectDelay(attempt - 1, { baseMs, capMs: MAX_RETRY_DELAY_MS }, 1);
}
