import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { deleteStreamsAt, NatsNaming } from '@ballast/bus';
import { createTestDatabase, natsUrl, sharedDataDir, uniqueName, waitFor } from '@ballast/testkit';
import { afterAll, expect, it } from 'vitest';

// Both as child processes: the simulator replaying its default recording
// (binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz and the
// BTCUSDT REST depth snapshot), and the service's own entry point.
const simMain = fileURLToPath(new URL('../../../packages/exchange-sim/src/main.ts', import.meta.url));
const serviceMain = fileURLToPath(new URL('./main.ts', import.meta.url));
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  for (const cleanup of cleanups) await cleanup();
});

function start(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

/** Resolves with the first stdout line `pick` returns a value for. */
function firstLine<T>(child: ChildProcess, pick: (line: string) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const value = pick(line);
      if (value !== undefined) resolve(value);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before the expected line`)));
  });
}

const json = (line: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

it('runs as its own process against the simulator, serves md metrics and exits 0 on SIGTERM', {
  timeout: 120_000,
}, async () => {
  const sim = start(simMain, ['--speed', 'step', '--port', '0'], { BALLAST_DATA_DIR: sharedDataDir() });
  const { restUrl, wsUrl } = await firstLine(
    sim,
    (l) => json(l) as { restUrl: string; wsUrl: string } | undefined,
  );
  const database = await createTestDatabase('md_main');
  cleanups.push(() => database.drop());
  const prefix = `${uniqueName('md_main')}.`;
  const servers = await natsUrl();
  cleanups.push(async () => {
    await deleteStreamsAt(servers, new NatsNaming(prefix));
  });

  const service = start(serviceMain, [], {
    VENUE: 'binance',
    SYMBOLS: 'BTC/USDT',
    TIMEFRAME: '1m',
    CHANNELS: 'trades,book',
    WS_URL: wsUrl,
    REST_URL: restUrl,
    NATS_URL: servers,
    DATABASE_URL: database.url,
    BUS_PREFIX: prefix,
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
  });
  const port = await firstLine(service, (l) => {
    const entry = json(l);
    return entry?.msg === 'http listening' ? Number(entry.port) : undefined;
  });
  const simState = async () =>
    (await (await fetch(`${restUrl}/_sim/state`)).json()) as { connections: { binance: number } };
  await waitFor(async () => (await simState()).connections.binance === 1, 'the service to connect', {
    timeoutMs: 60_000,
  });
  await fetch(`${restUrl}/_sim/replay/step`, { method: 'POST', body: JSON.stringify({ count: 300 }) });
  const metrics = await waitFor(
    async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return text.includes('ballast_md_frames_total{venue="binance",outcome="ok"}') ? text : undefined;
    },
    'md frame counters on /metrics',
    { timeoutMs: 30_000 },
  );
  expect(metrics).toMatch(/ballast_md_feed_lag_seconds\{venue="binance"\} \d/);
  expect(metrics).toContain('# HELP ballast_md_ws_reconnects_total');

  service.kill('SIGTERM');
  const [code] = (await once(service, 'exit')) as [number | null];
  expect(code).toBe(0);
});
