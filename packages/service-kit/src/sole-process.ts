import { SessionLock } from '@ballast/db';
import type { Logger } from './logger';

/** A lock a process holds while it runs: taken before its work starts, checked while it runs. */
export interface SoleLock {
  take(): Promise<boolean>;
  verify(): Promise<boolean>;
  close(): Promise<void>;
}

export interface SoleProcessDeps {
  /** The lock's name, e.g. `ballast-risk:binance`: one process per name and database. */
  name: string;
  /** Opens the lock; `onLost` is told when its session ends while held. */
  lock: (onLost: (reason: string) => void) => SoleLock;
  retryMs: number;
  log: Logger;
  /** Resolves when the process is asked to stop: a standby stops waiting. */
  stopping: Promise<void>;
  /** Waits `ms` (the system's timer live; a test's own where it decides). */
  sleep?: (ms: number) => Promise<void>;
  /** Why the lock is not held yet, each time that changes (a standby's readiness says it). */
  waiting?: (why: string) => void;
  /** The lock is lost while running: another process may now take it and run beside this one. */
  lost: (reason: string) => void;
}

const systemSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * One process per venue for a service that trades (ADR 24): two risk, orders or stops processes on one
 * venue would split its durable consumers between them, each judging limits, balances and stops on
 * half of the events. The process holds a PostgreSQL advisory lock named for the service and venue:
 * before it starts, a process that finds the lock held stands by (not ready, consuming nothing) and
 * tries again every `retryMs`; once running it checks every `retryMs` that its session still holds
 * the lock, and a loss stops the process (`lost`), so its supervisor restarts it as a standby or the
 * holder. Returns the held lock, or undefined when the process was asked to stop while standing by.
 */
export async function takeSoleProcessLock(deps: SoleProcessDeps): Promise<HeldLock | undefined> {
  const sleep = deps.sleep ?? systemSleep;
  let stopped = false;
  void deps.stopping.then(() => {
    stopped = true;
  });
  let lost = false;
  const lock = deps.lock((reason) => {
    lost = true;
    deps.lost(reason);
  });
  let announced: string | undefined;
  while (!stopped) {
    const outcome = await lock.take().then(
      (held) => (held ? 'held' : 'busy'),
      (err: unknown) => `unreachable: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (outcome === 'held') return watched(lock, deps, () => lost);
    if (outcome !== announced) {
      const why =
        outcome === 'busy'
          ? `another process holds ${deps.name}: standing by until it is free`
          : `${deps.name} not taken: the database is unreachable; trying again`;
      deps.log.warn({ lock: deps.name, retryMs: deps.retryMs, detail: outcome }, why);
      deps.waiting?.(why);
    }
    announced = outcome;
    await Promise.race([sleep(deps.retryMs), deps.stopping]);
  }
  await lock.close();
  return undefined;
}

/** A lock this process holds: closing it ends its checks and its session, and the lock with it. */
export interface HeldLock {
  close(): Promise<void>;
}

/** The held lock, asked every `retryMs` whether its session still holds it; closing stops the checks. */
function watched(lock: SoleLock, deps: SoleProcessDeps, alreadyLost: () => boolean): HeldLock {
  deps.log.info({ lock: deps.name }, `${deps.name} taken: this process runs it`);
  const timer = setInterval(() => {
    void lock.verify().then((held) => {
      // verify() reports a loss it finds through onLost; a session already gone says false here only.
      if (!held && !alreadyLost()) deps.lost('the lock session no longer answers that it holds the lock');
    });
  }, deps.retryMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await lock.close();
    },
  };
}

/** The lock on PostgreSQL (a SessionLock on a connection of its own). */
export function postgresSoleLock(url: string, name: string): SoleProcessDeps['lock'] {
  return (onLost) => new SessionLock({ url, name, onLost });
}
