import { createTestDatabase, startTcpProxy, type TestDatabase, waitFor } from '@ballast/testkit';
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

  it('answers a check from the server: true while its session holds the lock, false for a lock never taken', async () => {
    const holder = lock('ballast-test:checked');
    expect(await holder.verify()).toBe(false);
    expect(await holder.take()).toBe(true);
    expect(await holder.verify()).toBe(true);
    expect(await lock('ballast-test:checked').verify()).toBe(false);
    expect(holder.held).toBe(true);
  });

  // A NAT, proxy or failover that loses the connection's state forwards neither the server's close nor
  // anything else: nothing tells the holder, and another session takes the lock meanwhile.
  it('finds a session gone half-open lost at its next check and says so once', async () => {
    const target = new URL(testDb.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const losses: string[] = [];
    const holder = new SessionLock({
      url: proxy.via(testDb.url),
      name: 'ballast-test:half-open',
      onLost: (reason) => losses.push(reason),
      timeoutMs: 500,
    });
    opened.push(holder);
    try {
      expect(await holder.take()).toBe(true);
      proxy.blackhole();
      await dropHolder('ballast-test:half-open');
      const other = lock('ballast-test:half-open');
      await waitFor(() => other.take(), 'the lock taken by another session');
      expect(holder.held).toBe(true);
      expect(await holder.verify()).toBe(false);
      expect(holder.held).toBe(false);
      expect(losses).toEqual(['the lock session did not answer within 500 ms']);
      expect(await holder.verify()).toBe(false);
      expect(losses).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('fails a take on a session that stopped answering within its timeout, and connects afresh for the next', async () => {
    const target = new URL(testDb.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const standby = new SessionLock({
      url: proxy.via(testDb.url),
      name: 'ballast-test:silent',
      timeoutMs: 300,
    });
    opened.push(standby);
    try {
      expect(await lock('ballast-test:silent').take()).toBe(true);
      expect(await standby.take()).toBe(false);
      proxy.blackhole();
      await expect(standby.take()).rejects.toMatchObject({
        name: 'DbError',
        reason: 'unreachable',
        message: 'the lock session did not answer within 300 ms',
      });
      await expect(standby.take()).rejects.toMatchObject({
        name: 'DbError',
        reason: 'unreachable',
        message: expect.stringMatching(/^cannot connect to /),
      });
      expect(standby.held).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});
