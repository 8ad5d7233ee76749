import { resolve } from 'node:path';
import { natsServersFrom, REDACTED, redactUrlPasswords } from '@ballast/service-kit';
import type { Command } from 'commander';
import { consumerLag, type LagByService } from './status-lag';
import { type ChildRecord, DEFAULT_STATE_DIR, isRunning, readState } from './supervisor-state';

/** One row of `ballast status`. */
export interface ServiceStatus {
  readonly name: string;
  readonly pid: number | null;
  readonly phase: ChildRecord['phase'];
  readonly restarts: number;
  /** ready / not_ready from /readyz, or unreachable when nothing answered. */
  readonly health: 'ready' | 'not_ready' | 'unreachable' | 'n/a';
  readonly failing: readonly string[];
  /** Unacknowledged messages on its durables; null when NATS could not be asked. */
  readonly lag: number | null;
  readonly lastError: string | null;
}

interface StatusOptions {
  readonly stateDir: string;
  readonly json: boolean;
}

/** `ballast status`: what `ballast up` runs, each service's /readyz, consumer lag and last error. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('health, lag and last error of each service started by `ballast up`')
    .option('--state-dir <dir>', 'the state directory given to `ballast up`', DEFAULT_STATE_DIR)
    .option('--json', 'one JSON document instead of a table', false)
    .action(async (options: StatusOptions) => {
      process.exitCode = await status(options);
    });
}

async function status(options: StatusOptions): Promise<number> {
  const state = readState(resolve(options.stateDir));
  if (!state || !isRunning(state.supervisorPid)) {
    console.log('not running (start it with `ballast up`)');
    return 3;
  }
  const services = state.children.filter((c) => c.name !== 'prometheus');
  let lagError: string | null = null;
  const lag = await consumerLag(
    natsServersFor(state.natsUrl),
    state.busPrefix,
    services.map((c) => c.name),
  ).catch((err: unknown): LagByService | null => {
    lagError = lagUnread(err, state.natsUrl);
    return null;
  });
  const rows = await Promise.all(state.children.map((c) => serviceStatus(c, lag)));
  if (options.json)
    console.log(JSON.stringify({ supervisorPid: state.supervisorPid, services: rows, lagError }, null, 2));
  else {
    printTable(rows, state.prometheusUrl);
    if (lagError) console.log(`lag: unread (${lagError})`);
  }
  return rows.every((r) => r.health === 'ready' || r.health === 'n/a') ? 0 : 1;
}

const givenNats = (): boolean =>
  process.env.NATS_URL !== undefined || process.env.NATS_URL_FILE !== undefined;

/** NATS as this shell names it (NATS_URL or NATS_URL_FILE, as `up` read it), else as `up` recorded it. */
function natsServersFor(recorded: string): string | string[] {
  return givenNats() ? natsServersFrom(process.env) : recorded;
}

/** Why the lag could not be read, and the fix when `up` had credentials this shell did not give. */
function lagUnread(err: unknown, recorded: string): string {
  const why = redactUrlPasswords(err instanceof Error ? err.message : String(err));
  // `up` records its URLs with passwords masked: they cannot log in from here.
  return recorded.includes(REDACTED) && !givenNats()
    ? `${why}; \`ballast up\` was given NATS credentials: give status the same NATS_URL or NATS_URL_FILE`
    : why;
}

async function serviceStatus(child: ChildRecord, lag: LagByService | null): Promise<ServiceStatus> {
  const base = {
    name: child.name,
    pid: child.pid,
    phase: child.phase,
    restarts: child.restarts,
    lag: lag === null || child.name === 'prometheus' ? null : (lag.get(child.name) ?? 0),
  };
  if (child.name === 'prometheus' || child.port === null) {
    return { ...base, health: 'n/a', failing: [], lastError: exitText(child) };
  }
  const probe = await readyz(child.port);
  return {
    ...base,
    health: probe?.status === 'ready' ? 'ready' : probe ? 'not_ready' : 'unreachable',
    failing: probe?.failing ?? [],
    lastError: probe?.lastError ? `${probe.lastError.at} ${probe.lastError.message}` : exitText(child),
  };
}

interface Readyz {
  status: string;
  failing?: string[];
  lastError?: { message: string; at: string };
}

async function readyz(port: number): Promise<Readyz | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3_000) });
    return (await res.json()) as Readyz;
  } catch {
    return null;
  }
}

function exitText(child: ChildRecord): string | null {
  const exit = child.lastExit;
  if (!exit) return null;
  return `${new Date(exit.at).toISOString()} exited ${exit.signal ?? `with ${exit.code}`}`;
}

function printTable(rows: readonly ServiceStatus[], prometheusUrl: string | null): void {
  const header = ['service', 'pid', 'phase', 'health', 'restarts', 'lag', 'last error'];
  const cells = rows.map((r) => [
    r.name,
    String(r.pid ?? '-'),
    r.phase,
    r.failing.length > 0 ? `${r.health} (${r.failing.join(',')})` : r.health,
    String(r.restarts),
    r.lag === null ? '-' : String(r.lag),
    r.lastError ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log([line(header), ...cells.map(line)].join('\n'));
  if (prometheusUrl) console.log(`prometheus: ${prometheusUrl}`);
}
