import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, freePort, type TestDatabase, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The stack's first start: `migrate` connects while the database's port does not answer yet (PostgreSQL
// initialising behind a socket-only server). Here a port that refuses until the command has been refused
// once, then forwards to the real test server.

let database: TestDatabase;
let forwarder: Server | undefined;
const sockets = new Set<Socket>();

beforeAll(async () => {
  database = await createTestDatabase('cli_db_migrate');
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  if (forwarder) await new Promise((r) => forwarder?.close(r));
  await database.drop();
});

/** Listens on `port` and pipes every connection to the test database's server. */
async function forward(port: number, to: URL): Promise<Server> {
  const server = createServer((client) => {
    const upstream = connect(Number(to.port || 5432), to.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function runMigrate(
  databaseUrl: string,
  ...args: string[]
): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const main = fileURLToPath(new URL('../main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'db', 'migrate', ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

describe('ballast db migrate', () => {
  it('waits for a database whose port does not answer yet, then migrates it', async () => {
    const port = await freePort();
    const target = new URL(database.url);
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const run = runMigrate(url.toString());
    const exited = once(run.child, 'exit');

    await waitFor(
      () => /database not answering, trying again in \d+ ms: .*ECONNREFUSED/.test(run.stderr()),
      'a refused attempt',
      {
        timeoutMs: 30_000,
      },
    );
    forwarder = await forward(port, target);
    const [code] = await exited;

    expect(code, run.stderr()).toBe(0);
    expect(run.stdout()).toMatch(/\d+ migration\(s\) applied/);
    // Applied for good: a second run, straight to the server, finds nothing left to do.
    const again = runMigrate(database.url);
    const [againCode] = await once(again.child, 'exit');
    expect(againCode, again.stderr()).toBe(0);
    expect(again.stdout()).toContain('schema is up to date');
  }, 90_000);

  it('with --wait 0, fails at once on a port that does not answer', async () => {
    const port = await freePort();
    const run = runMigrate(`postgres://postgres@127.0.0.1:${port}/nothing`, '--wait', '0');
    const [code] = await once(run.child, 'exit');
    expect(code).toBe(1);
    expect(run.stderr()).not.toContain('trying again');
    expect(run.stderr()).toMatch(/ECONNREFUSED/);
  }, 60_000);
});
