import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sharedDataDir, waitFor } from '@ballast/testkit';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';

// Reads the default recordings (binance-spot-ws/2021-04-04_* frames and snapshots, the 2021-10-12 exchangeInfo).
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', 'tsx', main, '--speed', 'step', '--port', '0'], {
  env: { ...process.env, BALLAST_DATA_DIR: sharedDataDir() },
  stdio: ['ignore', 'pipe', 'inherit'],
});
afterAll(async () => {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
});

it('runs as a separate process, prints its URLs and is driven through /_sim', async () => {
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const { restUrl, wsUrl } = JSON.parse(line) as { restUrl: string; wsUrl: string };
  expect(await (await fetch(`${restUrl}/api/v3/ping`)).json()).toEqual({});
  const ws = new WebSocket(`${wsUrl}/stream?streams=btcusdt@aggTrade`);
  const messages: string[] = [];
  ws.on('message', (d) => messages.push(d.toString()));
  await once(ws, 'open');
  await fetch(`${restUrl}/_sim/replay/step`, { method: 'POST', body: JSON.stringify({ count: 10 }) });
  await waitFor(() => messages.length === 4, 'four aggTrades from the first ten frames');
  await fetch(`${restUrl}/_sim/http/fault`, {
    method: 'POST',
    body: JSON.stringify({ kind: 'rate_limit', count: 1, retryAfterSeconds: 3 }),
  });
  const limited = await fetch(`${restUrl}/api/v3/time`);
  expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
  expect((await limited.json()) as { code: number }).toMatchObject({ code: -1003 });
  ws.terminate();
});
