import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subjects, subject } from '@ballast/contracts';
import { freePort, waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsBus } from './nats-bus';
import { recordedCandles } from './recorded-candles';

/** A nats-server of our own (2.9.10 here) on `port`, its JetStream store in `dir`; resolves when it listens. */
async function natsServer(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('/usr/sbin/nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitFor(() => output.includes('Server is ready'), `nats-server on ${port}`);
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

// A server of its own, since the shared one cannot be restarted under the other test files.
describe('NatsBus across a NATS server restarted without its store', () => {
  const stores: string[] = [];
  const servers: ChildProcess[] = [];
  const clock = { now: () => 1_700_000_000_000 };

  afterEach(async () => {
    for (const s of servers.splice(0)) await killed(s);
    for (const d of stores.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const freshStore = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-bus-restart-'));
    stores.push(dir);
    return dir;
  };

  it('finds its durable gone at the reconnect, creates it again and delivers what was stored since', async () => {
    const port = await freePort();
    servers.push(await natsServer(port, freshStore()));
    const lines: string[] = [];
    const log = {
      info: () => {},
      warn: (_obj: object, msg: string) => void lines.push(msg),
      error: (_obj: object, msg: string) => void lines.push(msg),
    };
    const bus = await NatsBus.connect({ source: 'risk', clock, servers: `nats://127.0.0.1:${port}`, log });
    const candle = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    const [a, b] = recordedCandles(2);
    const seen: number[] = [];
    try {
      await bus.ensureStreams();
      await bus.subscribe(candle, (m) => void seen.push(m.payload.openTime), { durable: 'restarted' });
      await bus.publish(candle, a!);
      await waitFor(() => seen.length === 1, 'the first candle');

      await killed(servers[0]!);
      servers.push(await natsServer(port, freshStore()));
      // Another service starting first creates the streams again; the candle is stored at once.
      await waitFor(() => bus.ensureStreams().then(() => true), 'the streams created again');
      await bus.publish(candle, b!);
      // The client alone notices the durable gone after two missed heartbeats: 30 s.
      await waitFor(() => seen.length === 2, 'the candle stored after the restart', { timeoutMs: 10_000 });
      expect(seen).toEqual([a!.openTime, b!.openTime]);
      expect(lines).toContain('bus: durable created again');
    } finally {
      await bus.drain();
    }
  }, 30_000);

  it('delivers what was stored while its durable was gone when it had handled nothing before', async () => {
    // With nothing handled yet, the durable was created again from new messages: an order decision
    // stored after the restart, before the bus noticed its durable gone, was skipped.
    const port = await freePort();
    servers.push(await natsServer(port, freshStore()));
    const bus = await NatsBus.connect({ source: 'orders', clock, servers: `nats://127.0.0.1:${port}` });
    const candle = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    const [a] = recordedCandles(1);
    const seen: number[] = [];
    try {
      await bus.ensureStreams();
      await bus.subscribe(candle, (m) => void seen.push(m.payload.openTime), { durable: 'untouched' });

      await killed(servers[0]!);
      servers.push(await natsServer(port, freshStore()));
      await waitFor(() => bus.ensureStreams().then(() => true), 'the streams created again');
      await bus.publish(candle, a!);
      await waitFor(() => seen.length === 1, 'the candle stored after the restart', { timeoutMs: 10_000 });
      expect(seen).toEqual([a!.openTime]);
    } finally {
      await bus.drain();
    }
  }, 30_000);
});
