import type { Clock } from '@ballast/contracts';
import { type BackoffOptions, reconnectDelay } from '@ballast/core';
import { DbError, type DbHandle } from '@ballast/db';

export interface DatabaseWait extends BackoffOptions {
  /** How long an unreachable server is waited for, from the first attempt; 0: one attempt. */
  waitMs: number;
}

export interface DatabaseWaitDeps {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  random01: () => number;
  /** Told of each unreachable attempt that will be tried again, and after how long. */
  onRetry?: (err: DbError, delayMs: number) => void;
}

/** Half a second, doubling up to 5 s, jittered: a server starting up answers within a few of them. */
export const MIGRATE_DATABASE_WAIT: DatabaseWait = { waitMs: 60_000, baseMs: 500, capMs: 5_000 };

/**
 * Opens the database, trying again with capped, jittered backoff while no server answers (`unreachable`:
 * refused, unknown host, timeout), as long as the next attempt starts within `waitMs` of the first. A
 * server that answered and refused (credentials, missing database) is not waited for: that does not heal.
 */
export async function openDatabaseWaiting(
  open: () => Promise<DbHandle>,
  wait: DatabaseWait,
  deps: DatabaseWaitDeps,
): Promise<DbHandle> {
  const start = deps.clock.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      if (!(err instanceof DbError) || err.reason !== 'unreachable') throw err;
      const delay = Math.max(wait.baseMs, reconnectDelay(attempt, wait, deps.random01()));
      if (deps.clock.now() + delay - start > wait.waitMs) throw err;
      deps.onRetry?.(err, delay);
      await deps.sleep(delay);
    }
  }
}
