import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDb } from '@ballast/db';
import { createTestDatabase, freePort, type TestDatabase, uniqueName, waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Two copies of one service on one database and lock name, as `docker compose up --scale risk=2` or a
// copy started by hand beside the stack would run them: only one may work (ADR 24).
const fixture = fileURLToPath(new URL('./fixtures/sole-service.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

interface Copy {
  proc: ChildProcess;
  port: number;
  messages: () => string[];
  exited: Promise<number | null>;
}

let db: TestDatabase;
const copies: ChildProcess[] = [];
beforeAll(async () => {
  db = await createTestDatabase('sole_process');
});
afterAll(async () => {
  for (const proc of copies) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  await db?.drop();
});

async function startCopy(lock: string): Promise<Copy> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HTTP_PORT: String(port),
      DATABASE_URL: db.url,
      FIXTURE_LOCK: lock,
      SOLE_PROCESS_RETRY_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  copies.push(proc);
  let stdout = '';
  proc.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const messages = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
  return { proc, port, messages, exited };
}

const ready = async (copy: Copy) =>
  (await fetch(`http://127.0.0.1:${copy.port}/readyz`).catch(() => undefined))?.status === 200;
const STANDING_BY = (lock: string) =>
  `another process holds ballast-sole-fixture:${lock}: standing by until it is free`;
const said = (copy: Copy, msg: string) => () => copy.messages().includes(msg);

/** Ends the lock's session from outside, as a database failover or a dropped connection would. */
async function endLockSession(name: string): Promise<number> {
  const handle = await createDb({ url: db.url });
  try {
    const { rows } = await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = ${name}`.execute(handle.db);
    return rows.length;
  } finally {
    await handle.db.destroy();
  }
}

describe('a service that runs as one process per lock', () => {
  it('a second copy stands by, not ready and doing nothing, and takes over when the first dies', async () => {
    const lock = uniqueName('venue');
    const first = await startCopy(lock);
    await waitFor(said(first, 'working'), 'the first copy to start its work', { timeoutMs: 30_000 });
    const second = await startCopy(lock);
    await waitFor(said(second, STANDING_BY(lock)), 'the second copy to stand by', { timeoutMs: 30_000 });
    // Its health server answers, not ready for want of the lock; the service's work never started.
    await waitFor(async () => {
      const answer = await fetch(`http://127.0.0.1:${second.port}/readyz`);
      const body = (await answer.json()) as { checks: Record<string, { error?: string }> };
      return answer.status === 503 && body.checks['sole lock']?.error === STANDING_BY(lock);
    }, 'a 503 saying why');
    expect(await ready(first)).toBe(true);
    expect(second.messages()).not.toContain('working');
    // The standby logged once, not once per try.
    expect(second.messages().filter((m) => m.includes('standing by'))).toHaveLength(1);

    first.proc.kill('SIGKILL');
    await waitFor(said(second, 'working'), 'the standby to take over', { timeoutMs: 30_000 });
    expect(second.messages()).toContain(`ballast-sole-fixture:${lock} taken: this process runs it`);
    await waitFor(() => ready(second), 'the new holder ready');
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);

  it('a copy standing by stops at once on SIGTERM, exit 0, its work never started', async () => {
    const lock = uniqueName('venue');
    const holder = await startCopy(lock);
    await waitFor(said(holder, 'working'), 'the holder to start', { timeoutMs: 30_000 });
    const standby = await startCopy(lock);
    await waitFor(said(standby, STANDING_BY(lock)), 'standby', {
      timeoutMs: 30_000,
    });
    standby.proc.kill('SIGTERM');
    expect(await standby.exited).toBe(0);
    expect(standby.messages()).not.toContain('working');
    holder.proc.kill('SIGTERM');
    expect(await holder.exited).toBe(0);
  }, 90_000);

  it('a holder whose lock session ends stops its work and exits 1, so it never runs beside a new holder', async () => {
    const lock = uniqueName('venue');
    const holder = await startCopy(lock);
    await waitFor(said(holder, 'working'), 'the holder to start', { timeoutMs: 30_000 });
    expect(await endLockSession(`ballast-sole-fixture:${lock}`)).toBe(1);
    expect(await holder.exited).toBe(1);
    const messages = holder.messages();
    expect(messages).toContain(
      `ballast-sole-fixture:${lock} lost: stopping, so two processes never run it at once`,
    );
    // Its work stopped before the process ended.
    expect(messages).toContain('work stopped');
  }, 90_000);
});
