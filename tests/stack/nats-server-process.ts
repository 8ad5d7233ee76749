import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { waitFor } from '@ballast/testkit';

/** Debian's nats-server (2.9.10 here); the tests start their own instances beside the shared one. */
export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsServerProcess {
  readonly child: ChildProcess;
  /** Every log line so far. */
  readonly log: string[];
  /** SIGKILL: the node dies as a crashed machine would, without leaving the cluster cleanly. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit (safe when already gone). */
  stop(): Promise<void>;
}

/** Starts nats-server with `args` and `env`, resolving once it reports it is ready for clients. */
export async function startNatsServer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<NatsServerProcess> {
  const child = spawn(NATS_SERVER, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream as NodeJS.ReadableStream }).on('line', (line) => log.push(line));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals) => {
    if (!alive()) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  await waitFor(
    () => {
      if (!alive()) throw new Error(`nats-server exited: ${log.slice(-5).join('\n')}`);
      return log.some((l) => l.includes('Server is ready'));
    },
    `nats-server ${args.join(' ')} ready`,
    { timeoutMs: 30_000, intervalMs: 50 },
  ).catch(async (err: Error) => {
    await end('SIGKILL');
    throw new Error(`${err.message}\n${log.slice(-10).join('\n')}`);
  });
  return { child, log, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
