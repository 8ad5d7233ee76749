import { DbError, type DbHandle } from '@ballast/db';
import { describe, expect, it } from 'vitest';
import { type DatabaseWait, openDatabaseWaiting } from './wait-for-database';

const WAIT: DatabaseWait = { waitMs: 10_000, baseMs: 500, capMs: 4_000 };
const HANDLE = { driver: 'pg', target: 'postgres://ballast:***@db:5432/ballast' } as DbHandle;

/** A database that fails with `errors` in turn, then opens; time passes only by the waits. */
function scripted(errors: readonly Error[]) {
  let now = 0;
  let calls = 0;
  const waits: number[] = [];
  return {
    open: async () => {
      const err = errors[calls++];
      if (err) throw err;
      return HANDLE;
    },
    deps: {
      clock: { now: () => now },
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
      // The top of each jitter range: the waits are just under the ceilings 500, 1000, 2000, 4000 (at least 500).
      random01: () => 0.999_999,
    },
    waits,
    calls: () => calls,
  };
}

const refused = () => new DbError('unreachable', 'cannot connect to postgres://db: connect ECONNREFUSED');

describe('openDatabaseWaiting', () => {
  it('tries an unreachable server again with capped backoff until it answers', async () => {
    const db = scripted([refused(), refused(), refused(), refused()]);
    await expect(openDatabaseWaiting(db.open, WAIT, db.deps)).resolves.toBe(HANDLE);
    expect(db.calls()).toBe(5);
    expect(db.waits).toEqual([500, 999, 1999, 3999]);
  });

  it('gives up with the unreachable error once the next attempt would start after the wait', async () => {
    const db = scripted(Array.from({ length: 20 }, refused));
    await expect(openDatabaseWaiting(db.open, WAIT, db.deps)).rejects.toMatchObject({
      reason: 'unreachable',
    });
    // 500 + 999 + 1999 + 3999 = 7497; one more 3999 would pass 10 000.
    expect(db.waits).toEqual([500, 999, 1999, 3999]);
    expect(db.calls()).toBe(5);
  });

  it('does not wait for a server that answered and refused (credentials, missing database)', async () => {
    const db = scripted([new DbError('auth_failed', 'password authentication failed')]);
    await expect(openDatabaseWaiting(db.open, WAIT, db.deps)).rejects.toMatchObject({
      reason: 'auth_failed',
    });
    expect(db.calls()).toBe(1);
    expect(db.waits).toEqual([]);
  });

  it('tries once with no wait', async () => {
    const db = scripted([refused()]);
    await expect(openDatabaseWaiting(db.open, { ...WAIT, waitMs: 0 }, db.deps)).rejects.toMatchObject({
      reason: 'unreachable',
    });
    expect(db.calls()).toBe(1);
  });
});
