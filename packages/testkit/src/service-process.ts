import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from './ports';
import { waitFor } from './wait-for';

/** The repository root: services are found under it and `tsx` resolves from it. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServiceProcessOptions {
  /** Extra `--import` modules loaded before main (e.g. `replayClockImport`). */
  imports?: string[];
  /** Echo the child's log lines, prefixed with its name (default: only when it dies unexpectedly). */
  echo?: boolean;
  /** How long to wait for /readyz to answer 200 (default 90 s: a loaded machine starts tsx slowly). */
  readyTimeoutMs?: number;
}

/** A service running its own `main.ts` as a child process, as it runs in production. */
export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`: /healthz, /readyz, /metrics. */
  readonly httpUrl: string;
  /** Every log line so far (stdout and stderr), newest last. */
  readonly logs: string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

const MAX_LOG_LINES = 5_000;

/**
 * Spawns `node --import tsx services/<name>/src/main.ts` with `env` over the test's environment
 * (HTTP_PORT a free port unless given) and resolves once its /readyz answers 200. A child that exits first
 * fails the call with its last log lines.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const main = join(repoRoot, 'services', name, 'src', 'main.ts');
  const imports = ['tsx', ...(options.imports ?? [])].flatMap((m) => ['--import', m]);
  const port = Number(env.HTTP_PORT ?? (await freePort()));
  const child = spawn(process.execPath, [...imports, main], {
    cwd: repoRoot,
    env: { ...process.env, ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (input: NodeJS.ReadableStream) =>
    createInterface({ input }).on('line', (line) => {
      logs.push(line);
      if (logs.length > MAX_LOG_LINES) logs.shift();
      if (options.echo) console.log(`[${name}] ${line}`);
    });
  collect(child.stdout as NodeJS.ReadableStream);
  collect(child.stderr as NodeJS.ReadableStream);
  const exited = once(child, 'exit');
  const handle: ServiceProcess = {
    name,
    child,
    logs,
    get httpUrl() {
      return `http://127.0.0.1:${port}`;
    },
    stop: (graceMs = 30_000) => stopChild(child, exited, graceMs),
  };
  try {
    // waitFor retries a predicate that throws, so a child that dies ends the wait through this race
    // ('close': its output has been read to the end).
    const died = once(child, 'close').then(() => {
      throw new DiedError(name, child, logs);
    });
    await Promise.race([
      died,
      waitFor(
        async () => (await fetch(`${handle.httpUrl}/readyz`).catch(() => undefined))?.status === 200,
        `${name} to be ready`,
        { timeoutMs: options.readyTimeoutMs ?? 90_000, intervalMs: 100 },
      ),
    ]);
  } catch (err) {
    await handle.stop(5_000);
    const tail = logs.slice(-20).join('\n');
    throw new Error(`${(err as Error).message}\nlast log lines of ${name}:\n${tail}`);
  }
  return handle;
}

class DiedError extends Error {
  constructor(name: string, child: ChildProcess, logs: string[]) {
    super(
      `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${logs.slice(-20).join('\n')}`,
    );
  }
}

/** A port free right now on loopback (the child binds it moments later; the log level may hide its own). */
async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  return child.exitCode;
}

/** A module URL for `--import`, from a path. */
export function importUrl(path: string): string {
  return pathToFileURL(path).href;
}
