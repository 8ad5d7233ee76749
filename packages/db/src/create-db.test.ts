import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUrl, waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from './create-db';
import { DbError } from './db-error';
import { migrate } from './migrate';
import { migrations } from './migrations';
import { BotStateRepository } from './repositories/bot-state-repository';
import { FixedClock } from './testing/fixed-clock';
import { OPEN_TIMEOUT_MS } from './testing/repository-suite';

const PASSWORD = 'S3cret-Ballast-pw';

async function failureOf(url: string): Promise<DbError> {
  const err = await createDb({ url }).then(
    () => new Error('expected createDb to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof DbError)) throw err;
  return err;
}

/**
 * A server that answers every startup as PostgreSQL does while it starts up: FATAL 57P03 in an
 * ErrorResponse ('E', length, then S/V/C/M fields, each NUL-terminated, and a final NUL).
 */
async function startingUpServer(): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const fields = [
    ['S', 'FATAL'],
    ['V', 'FATAL'],
    ['C', '57P03'],
    ['M', 'the database system is starting up'],
  ];
  const body = Buffer.concat([...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  const reply = Buffer.concat([Buffer.from('E'), length, body]);
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.once('data', () => socket.end(reply));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('createDb with PostgreSQL', () => {
  it('reports an unreachable server as reason unreachable, with the password masked', async () => {
    const err = await failureOf(`postgres://ballast:${PASSWORD}@127.0.0.1:1/ballast`);
    expect(err.reason).toBe('unreachable');
    expect(err.message).toContain('cannot connect to postgres://ballast:***@127.0.0.1:1/ballast');
    expect(err.message).not.toContain(PASSWORD);
  });

  it('reports a server answering 57P03 (starting up) as unreachable, so waiting for it retries', async () => {
    const server = await startingUpServer();
    try {
      const err = await failureOf(`postgres://ballast:${PASSWORD}@127.0.0.1:${server.port}/ballast`);
      expect(err.reason).toBe('unreachable');
      expect(err.message).toContain('the database system is starting up');
      expect(err.message).not.toContain(PASSWORD);
      expect(server.connections()).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('reports a missing database as reason database_missing, with the password masked', async () => {
    const url = new URL(await databaseUrl());
    url.password = PASSWORD;
    url.pathname = '/ballast_no_such_database';
    const err = await failureOf(url.toString());
    expect(err.reason).toBe('database_missing');
    expect(err.message).toContain('ballast_no_such_database');
    expect(err.message).not.toContain(PASSWORD);
  });

  it('masks a password given as ?password= in the target it logs and in a connection error', async () => {
    const err = await failureOf(
      `postgres://ballast@127.0.0.1:1/ballast?password=${PASSWORD}&sslmode=disable`,
    );
    expect(err.reason).toBe('unreachable');
    expect(err.message).toContain('postgres://ballast@127.0.0.1:1/ballast?password=***&sslmode=disable');
    expect(err.message).not.toContain(PASSWORD);
    // pg takes the parameter as the password; the server trusts it here, so this one connects.
    const url = new URL(await databaseUrl());
    url.searchParams.set('password', PASSWORD);
    const handle = await createDb({ url: url.toString() });
    await sql`select 1`.execute(handle.db);
    expect(handle.target).toContain('password=***');
    expect(handle.target).not.toContain(PASSWORD);
    await handle.db.destroy();
  });

  it('refuses a URL that is not postgres:// without echoing its password', async () => {
    const err = await failureOf(`mysql://root:${PASSWORD}@127.0.0.1/ballast`);
    expect(err.reason).toBe('unsupported_url');
    expect(err.message).toBe(
      'unsupported database url mysql://root:***@127.0.0.1/ballast: expected postgres:// or postgresql://',
    );
  });
});

describe('createDb idle connections', () => {
  it('keeps idle connections open with idleTimeoutMs 0, and closes them after a set idle time', async () => {
    const url = await databaseUrl();
    const name = `idle-${process.pid}-${Date.now()}`;
    const kept = await createDb({ url, poolSize: 1, idleTimeoutMs: 0, applicationName: `${name}-kept` });
    const released = await createDb({
      url,
      poolSize: 1,
      idleTimeoutMs: 100,
      applicationName: `${name}-released`,
    });
    const observer = await createDb({ url, poolSize: 1 });
    const connected = async (applicationName: string) =>
      Number(
        (
          await sql<{
            n: string;
          }>`select count(*) as n from pg_stat_activity where application_name = ${applicationName}`.execute(
            observer.db,
          )
        ).rows[0]?.n,
      );
    try {
      // Both idle from here on; the released one's connection goes after 100 ms, the kept one's stays.
      // pg's default idle time is 10 s: closed within 5 s, the option was applied.
      await waitFor(
        async () => (await connected(`${name}-released`)) === 0,
        'the released connection closed',
        {
          timeoutMs: 5_000,
        },
      );
      expect(await connected(`${name}-kept`)).toBe(1);
    } finally {
      await Promise.all([kept.db.destroy(), released.db.destroy(), observer.db.destroy()]);
    }
  });
});

describe('createDb commit mode', () => {
  const setting = async (commit?: 'durable' | 'asynchronous') => {
    const handle = await createDb({ url: await databaseUrl(), poolSize: 2, commit });
    try {
      // Every pooled connection carries it, not just the first.
      const rows = await Promise.all(
        [0, 1].map(() => sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(handle.db)),
      );
      return rows.map((r) => r.rows[0]?.synchronous_commit);
    } finally {
      await handle.db.destroy();
    }
  };

  it('waits for the disk by default and not with asynchronous commits', async () => {
    expect(await setting()).toEqual(['on', 'on']);
    expect(await setting('durable')).toEqual(['on', 'on']);
    expect(await setting('asynchronous')).toEqual(['off', 'off']);
  });
});

describe('createDb with PGlite on disk (the default without DATABASE_URL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'keeps schema and data across a restart',
    async () => {
      const pgliteDir = join(dir, 'data');
      const clock = new FixedClock(Date.UTC(2026, 5, 1));
      const first = await createDb({ pgliteDir });
      expect(first.driver).toBe('pglite');
      expect((await migrate(first.db)).applied).toEqual(Object.keys(migrations));
      await new BotStateRepository(first.db, clock).set('cursor', { lastOpenTime: 1502942400000 });
      await first.db.destroy();

      const second = await createDb({ pgliteDir });
      try {
        expect((await migrate(second.db)).applied).toEqual([]);
        const read = await new BotStateRepository(second.db, clock).get('cursor', { parse: (x) => x });
        expect(read).toEqual({ value: { lastOpenTime: 1502942400000 }, updatedAt: clock.now() });
      } finally {
        await second.db.destroy();
      }
    },
    2 * OPEN_TIMEOUT_MS,
  );
});
