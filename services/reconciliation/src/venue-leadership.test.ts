import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import type { RunReport } from './reconciler';
import { manualEvery } from './testing/manual-every';
import { type Leading, VenueLeadership, type VenueLock } from './venue-leadership';

const RETRY_MS = 1_000;
const first: RunReport = {
  runId: 'run-1',
  venue: 'binance',
  outcome: 'clean',
  status: 'reconciled',
  drifts: [],
  detail: '',
};

/**
 * A lock whose checks answer as the test says: `failNextCheck()` makes the next `verify()` lose the lock
 * (reported through onLost, as SessionLock does) while it stays free to take again.
 */
function scriptedLock(onLost: (reason: string) => void) {
  let failing = false;
  const lock: Omit<VenueLock, 'held'> & { held: boolean; failNextCheck(): void; checks: number } = {
    held: false,
    checks: 0,
    async take() {
      lock.held = true;
      return true;
    },
    async verify() {
      lock.checks++;
      if (!lock.held) return false;
      if (!failing) return true;
      failing = false;
      lock.held = false;
      onLost('the lock session did not answer within 5000 ms');
      return false;
    },
    async close() {
      lock.held = false;
    },
    failNextCheck() {
      failing = true;
    },
  };
  return lock;
}

function leadership() {
  const timers = manualEvery();
  const errors: Array<{ reason?: string; message: string }> = [];
  const leads: Array<{ stopped: boolean[] }> = [];
  let lock: ReturnType<typeof scriptedLock> | undefined;
  const under = new VenueLeadership({
    venue: 'binance',
    lock: (onLost) => {
      lock = scriptedLock(onLost);
      return lock;
    },
    retryMs: RETRY_MS,
    every: timers.every,
    metrics: undefined,
    log: {
      info: () => undefined,
      warn: () => undefined,
      error: (o: object, message: string) => void errors.push({ ...(o as { reason?: string }), message }),
    },
    lead: async (): Promise<Leading> => {
      const lead = { stopped: [] as boolean[] };
      leads.push(lead);
      return { first, stop: async (final) => void lead.stopped.push(final) };
    },
  });
  if (!lock) throw new Error('the lock was not opened');
  return { under, timers, errors, leads, lock };
}

/** Resolves once every lock step queued so far has run: a take is queued behind them. */
const stepsDone = (under: VenueLeadership) => under.take();

describe('VenueLeadership', () => {
  it('checks with the database at every retry that it still holds the lock, and leads on while it does', async () => {
    const { under, timers, leads, lock } = leadership();
    expect(await under.start()).toBe(first);
    timers.fire(RETRY_MS);
    timers.fire(RETRY_MS);
    await stepsDone(under);
    expect(lock.checks).toBe(2);
    expect(leads).toEqual([{ stopped: [] }]);
  });

  it('stops leading when a check finds the lock lost, says why once, and leads again once it retakes it', async () => {
    const { under, timers, errors, leads, lock } = leadership();
    await under.start();
    lock.failNextCheck();
    timers.fire(RETRY_MS);
    await waitFor(() => leads.length === 2, 'the lock taken again');
    await stepsDone(under);
    expect(errors).toEqual([
      {
        venue: 'binance',
        reason: 'the lock session did not answer within 5000 ms',
        message: 'reconciliation lock lost: not reconciling binance until it is taken again',
      },
    ]);
    // The loss the lock reported reaches its own step after the lock was taken again: it stops nothing.
    expect(leads).toEqual([{ stopped: [false] }, { stopped: [] }]);
    expect(lock.held).toBe(true);
    await under.stop();
    expect(leads).toEqual([{ stopped: [false] }, { stopped: [true] }]);
  });
});
