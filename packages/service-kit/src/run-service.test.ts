import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/slow-service.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const VENUE_KEY = 'venue-key-4f3e2d1c0b';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

interface Child {
  proc: ChildProcess;
  logs: LogLine[];
  raw: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const proc of children.splice(0))
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
});

/** Runs the fixture service with only the given env (plus PATH), collecting its JSON log lines. */
function runFixture(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  proc.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const logs = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  return {
    proc,
    get logs() {
      return logs();
    },
    raw: () => stdout + stderr,
    exited,
  };
}

const messages = (child: Child) => child.logs.map((l) => l.msg);
const logged = (child: Child, msg: string) => () => messages(child).includes(msg);

describe('runService', () => {
  it('on SIGTERM finishes in-flight work, disposes in order and exits 0', async () => {
    const child = runFixture({ VENUE_API_KEY: VENUE_KEY, FIXTURE_TASK_MS: '800' });
    await waitFor(logged(child, 'started'), 'the fixture to start', { timeoutMs: 20_000 });
    expect(messages(child)).toContain('task started');
    child.proc.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const after = messages(child).slice(messages(child).indexOf('started') + 1);
    expect(after).toEqual([
      'shutdown requested',
      'stopping service',
      'service disposing',
      'task completed',
      'service disposed',
      'stopped service',
      'stopping bus',
      'fake bus drained',
      'stopped bus',
      'stopping database',
      'fake db closed',
      'stopped database',
      'stopping http',
      'stopped http',
      'stopped',
    ]);
    expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0, service: 'slow-fixture' });
    expect(child.logs.find((l) => l.msg === 'shutdown requested')).toMatchObject({ signal: 'SIGTERM' });
  });

  it('exits 78 listing every bad variable, without values or a stack', async () => {
    const child = runFixture({
      HTTP_PORT: 'eighty',
      FIXTURE_MODE: 'sideways',
      NATS_URL: 'nats://u:hunter2-pw@',
    });
    expect(await child.exited).toBe(78);
    const fatal = child.logs.find((l) => l.level === 60);
    expect(fatal?.reason).toBe('invalid_config');
    expect(fatal?.msg.split('\n')).toEqual([
      'invalid configuration (4 problems):',
      '  NATS_URL: invalid (Invalid URL)',
      '  HTTP_PORT: invalid (Invalid input: expected number, received NaN)',
      '  FIXTURE_MODE: invalid (Invalid option: expected one of "graceful"|"reject"|"hang"|"fail"|"refuse"|"held")',
      '  VENUE_API_KEY: missing (Invalid input: expected string, received undefined)',
    ]);
    expect(child.logs).toHaveLength(1);
    expect(child.raw()).not.toContain('hunter2-pw');
    expect(child.raw()).not.toContain('    at ');
  });

  it('treats an unhandled rejection as a failure: logged redacted, orderly shutdown, exit 1', async () => {
    const child = runFixture({ VENUE_API_KEY: VENUE_KEY, FIXTURE_MODE: 'reject', FIXTURE_TASK_MS: '50' });
    expect(await child.exited).toBe(1);
    const rejection = child.logs.find((l) => l.msg === 'unhandled rejection');
    expect(rejection?.err).toMatchObject({ message: 'venue refused key [REDACTED]' });
    expect(messages(child)).toEqual(
      expect.arrayContaining(['task completed', 'stopped bus', 'stopped http']),
    );
    expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 1 });
    expect(child.raw()).not.toContain(VENUE_KEY);
  });

  it('closes what it opened and exits 1 when start throws', async () => {
    const child = runFixture({ VENUE_API_KEY: VENUE_KEY, FIXTURE_MODE: 'fail' });
    expect(await child.exited).toBe(1);
    expect(child.logs.find((l) => l.msg === 'start failed')?.err).toMatchObject({
      message: 'venue login failed for [REDACTED]',
    });
    const after = messages(child).slice(messages(child).indexOf('start failed') + 1);
    expect(after).toEqual([
      'stopping bus',
      'fake bus drained',
      'stopped bus',
      'stopping database',
      'fake db closed',
      'stopped database',
      'stopping http',
      'stopped http',
      'stopped',
    ]);
    expect(child.raw()).not.toContain(VENUE_KEY);
  });

  it('exits 78 with the fatal line, closing what it opened, when start refuses the configuration (ConfigError)', async () => {
    const child = runFixture({ VENUE_API_KEY: VENUE_KEY, FIXTURE_MODE: 'refuse' });
    expect(await child.exited).toBe(78);
    const fatal = child.logs.find((l) => l.level === 60);
    expect([fatal?.reason, fatal?.msg.split('\n')]).toEqual([
      'invalid_config',
      ['invalid configuration (1 problem):', '  VENUE_LIMITS: invalid (limits the venue accepts)'],
    ]);
    expect(messages(child)).not.toContain('start failed');
    expect(messages(child)).toEqual(
      expect.arrayContaining(['stopped bus', 'stopped database', 'stopped http']),
    );
    expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 78 });
  });

  it('exits 78 with the fatal line and its reason when start refuses on what it found (StartRefusedError)', async () => {
    const child = runFixture({ VENUE_API_KEY: VENUE_KEY, FIXTURE_MODE: 'held' });
    expect(await child.exited).toBe(78);
    const fatal = child.logs.find((l) => l.level === 60);
    expect([fatal?.reason, fatal?.msg]).toEqual([
      'paper_positions_open',
      'live start refused: the paper account holds BTC-USDT long 0.01',
    ]);
    expect(messages(child)).not.toContain('start failed');
    expect(child.logs.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 78 });
  });

  it('forces exit 1 on a second signal while shutdown hangs', async () => {
    const child = runFixture({ VENUE_API_KEY: VENUE_KEY, FIXTURE_MODE: 'hang' });
    await waitFor(logged(child, 'started'), 'the fixture to start', { timeoutMs: 20_000 });
    child.proc.kill('SIGTERM');
    await waitFor(logged(child, 'service disposing'), 'shutdown to reach the hanging dispose');
    child.proc.kill('SIGINT');
    expect(await child.exited).toBe(1);
    expect(messages(child)).toContain('second signal during shutdown, forcing exit');
    expect(messages(child)).not.toContain('stopped');
  });
});
