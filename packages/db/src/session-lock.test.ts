import { createTestDatabase, type TestDatabase, waitFor } from '@ballast/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advisoryLockKey, SessionLock } from './session-lock';

let testDb: TestDatabase;
const opened: SessionLock[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase('db_session_lock');
});

afterAll(async () => {
  for (const lock of opened) await lock.close();
  await testDb?.drop();
});

function lock(name: string, onLost?: (reason: string) => void): SessionLock {
  const made = new SessionLock({ url: testDb.url, name, ...(onLost ? { onLost } : {}) });
  opened.push(made);
  return made;
}

/** Ends the server session holding `name`'s lock, as a dropped connection would. */
async function dropHolder(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testDb.url });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(l.pid) AS ended FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1 AND a.datname = current_database()`,
      [name],
    );
    expect(rows).toEqual([{ ended: true }]);
  } finally {
    await admin.end();
  }
}

describe('SessionLock', () => {
  // Pinned: a new key for the same name would let an old and a new version reconcile side by side.
  it('derives one 64-bit key per name, the same in every process and version', () => {
    expect(advisoryLockKey('ballast-recon:binance')).toBe(advisoryLockKey('ballast-recon:binance'));
    expect(advisoryLockKey('ballast-recon:binance')).toBe(-5604423066825960512n);
    expect(advisoryLockKey('ballast-recon:bybit')).not.toBe(advisoryLockKey('ballast-recon:binance'));
  });

  it('is held by one session at a time; another takes it once the holder closes', async () => {
    const first = lock('ballast-test:one');
    const second = lock('ballast-test:one');
    expect(await first.take()).toBe(true);
    expect(await second.take()).toBe(false);
    expect(await lock('ballast-test:other').take()).toBe(true);
    expect([first.held, second.held]).toEqual([true, false]);
    await first.close();
    expect(first.held).toBe(false);
    expect(await second.take()).toBe(true);
  });

  it('holds the lock no longer from the moment its connection drops, says so once, and takes it again', async () => {
    const losses: string[] = [];
    const holder = lock('ballast-test:dropped', (reason) => losses.push(reason));
    expect(await holder.take()).toBe(true);
    await dropHolder('ballast-test:dropped');
    await waitFor(() => !holder.held, 'the loss noticed');
    expect(losses).toHaveLength(1);
    const other = lock('ballast-test:dropped');
    expect(await other.take()).toBe(true);
    expect(await holder.take()).toBe(false);
    await other.close();
    expect(await holder.take()).toBe(true);
    expect(losses).toHaveLength(1);
  });
});
