import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deleteStreamsAt, NatsNaming } from '@ballast/bus';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import {
  createTestDatabase,
  freePortRun,
  natsUrl,
  sharedDataDir,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceStatus } from './status';
import type { SupervisorState } from './supervisor-state';
import { isRunning } from './supervisor-state';

// `ballast up`, `status` and `down` as a user runs them: three separate CLI processes, real NATS,
// real PostgreSQL, the exchange simulator replaying recorded Binance frames for market data and prices.
const cliMain = fileURLToPath(new URL('../main.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const SERVICES = ['market-data', 'features', 'signals', 'risk', 'orders', 'stops'];

const stateDir = mkdtempSync(join(tmpdir(), 'ballast-up-'));
const prefix = `${uniqueName('up')}.`;
let sim: ExchangeSim;
let database: TestDatabase;
let servers: string;
let env: NodeJS.ProcessEnv;
let up: ChildProcess | undefined;
const upLog: string[] = [];
const everyPid = new Set<number>();

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', cliMain, ...args], {
      cwd: repoRoot,
      env,
      timeout: 90_000,
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '' };
  }
}

function state(): SupervisorState {
  const s = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as SupervisorState;
  for (const c of s.children) if (c.pid !== null) everyPid.add(c.pid);
  return s;
}

async function status(): Promise<ServiceStatus[]> {
  const { stdout } = await cli('status', '--state-dir', stateDir, '--json');
  return (JSON.parse(stdout) as { services: ServiceStatus[] }).services;
}

const allReady = (rows: ServiceStatus[]) =>
  SERVICES.every((name) => rows.find((r) => r.name === name)?.health === 'ready') ? rows : undefined;

beforeAll(async () => {
  servers = await natsUrl();
  database = await createTestDatabase('cli_up');
  sim = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: { symbols: ['BTCUSDT'], apiKey: 'up-key', apiSecret: 'up-secret', balances: { USDT: '10000' } },
  });
  env = {
    ...process.env,
    NATS_URL: servers,
    DATABASE_URL: database.url,
    BUS_PREFIX: prefix,
    LOG_LEVEL: 'info',
    VENUE: 'binance',
    SYMBOLS: 'BTC/USDT',
    TIMEFRAME: '1m',
    WS_URL: sim.wsUrl,
    REST_URL: sim.restUrl,
    EXCHANGE_BASE_URL: sim.restUrl,
    RISK_EQUITY: '10000',
    FEATURES_SERIES: 'binance:BTC-USDT:1m',
  };
}, 120_000);

afterAll(async () => {
  // Whatever the outcome, nothing this test started may outlive it.
  if (up && up.exitCode === null && up.signalCode === null) {
    up.kill('SIGTERM');
    await once(up, 'exit');
  }
  for (const pid of everyPid) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  await sim?.close();
  await deleteStreamsAt(servers, new NatsNaming(prefix));
  await database?.drop();
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

it('up starts every service and Prometheus; status reports them ready; a killed service is restarted; down leaves no process behind', {
  timeout: 600_000,
}, async () => {
  const basePort = await freePortRun(SERVICES.length + 1);
  const promPort = basePort + SERVICES.length;
  up = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', cliMain, 'up', '--state-dir', stateDir, '--services', SERVICES.join(',')],
      ...['--base-port', String(basePort), '--prometheus-port', String(promPort)],
    ],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [up.stdout, up.stderr]) stream?.on('data', (d: Buffer) => upLog.push(d.toString()));
  const upExit = once(up, 'exit');

  const ready = await waitFor(
    async () => allReady(await status()),
    'every service ready in `ballast status`',
    {
      timeoutMs: 300_000,
      intervalMs: 2_000,
    },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- ballast up output (tail) ---\n${upLog.join('').slice(-6_000)}`);
  });
  expect(ready.map((r) => r.name)).toEqual([...SERVICES, 'prometheus']);
  for (const row of ready.filter((r) => r.name !== 'prometheus')) {
    // A restart before ready has its reason in the service's own log lines: shown when it happens.
    const ownLog = () =>
      upLog
        .join('')
        .split('\n')
        .filter((l) => l.startsWith(`${row.name} `))
        .slice(-40)
        .join('\n');
    expect(row, row.restarts === 0 ? undefined : ownLog()).toMatchObject({
      phase: 'running',
      health: 'ready',
      restarts: 0,
      failing: [],
    });
    expect(row.lag).toBeTypeOf('number');
  }
  // Logs arrive prefixed with the service name.
  expect(upLog.join('')).toMatch(/^features\s+\| \{.*"msg":"started"/m);
  // Prometheus runs with the generated config and scrapes the services.
  const s0 = state();
  expect(s0.prometheusUrl).toBe(`http://127.0.0.1:${promPort}`);
  await waitFor(
    async () => {
      const res = await fetch(`${s0.prometheusUrl}/api/v1/query?query=up%7Bjob%3D%22ballast%22%7D`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result.filter((r) => r.value[1] === '1').length === SERVICES.length;
    },
    'Prometheus scraping every service',
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );

  // Kill one service behind the supervisor's back: it comes back with a new pid.
  const victim = s0.children.find((c) => c.name === 'features');
  expect(victim?.pid).toBeTypeOf('number');
  process.kill(victim?.pid as number, 'SIGKILL');
  const back = await waitFor(
    () => {
      const c = state().children.find((x) => x.name === 'features');
      return c && c.restarts === 1 && c.phase === 'running' && c.pid !== victim?.pid ? c : undefined;
    },
    'features restarted by the supervisor',
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  expect(back.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
  const again = await waitFor(async () => allReady(await status()), 'features ready again', {
    timeoutMs: 180_000,
    intervalMs: 2_000,
  });
  expect(again.find((r) => r.name === 'features')).toMatchObject({ restarts: 1, health: 'ready' });

  // down, from another process: the supervisor drains its children and exits 0.
  const pids = [s0.supervisorPid, ...state().children.map((c) => c.pid as number)];
  const downResult = await cli('down', '--state-dir', stateDir);
  expect(downResult.code).toBe(0);
  const [code] = (await upExit) as [number | null];
  expect(code).toBe(0);
  for (const pid of pids) expect(isRunning(pid), `pid ${pid} still running`).toBe(false);
  expect(upLog.join('')).toMatch(/SIGTERM: stopping every service/);
  expect((await cli('status', '--state-dir', stateDir)).stdout).toContain('not running');
});
