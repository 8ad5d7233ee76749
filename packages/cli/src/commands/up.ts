import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, migrate } from '@ballast/db';
import { DEFAULT_NATS_URL, natsServersFrom, redactUrlPasswords } from '@ballast/service-kit';
import type { Command } from 'commander';
import { positiveInteger } from './positive-integer';
import { DEFAULT_BACKOFF } from './supervision-policy';
import { type ChildSnapshot, Supervisor } from './supervisor';
import { DEFAULT_STATE_DIR, isRunning, readState, removeState, writeState } from './supervisor-state';
import { DEFAULT_SCRAPE_INTERVAL, findPrometheus, prometheusSpec } from './up-prometheus';
import {
  childEnvironment,
  configuredServices,
  detectServices,
  selectServices,
  serviceSpecs,
} from './up-services';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface UpOptions {
  readonly services: string;
  readonly basePort: string;
  readonly stateDir: string;
  readonly prometheus: boolean;
  readonly prometheusPort: string;
  readonly stopGraceMs: string;
  readonly scrapeInterval: string;
  readonly import: string[];
}

/** `ballast up`: the whole stack as supervised child processes, for a machine without Docker. */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description(
      'run every service as a supervised child process (migrations first; Prometheus if installed)',
    )
    .option('--services <list>', 'comma list of services (default: every service present)', '')
    .option('--base-port <port>', 'health/metrics port of the first service; the next ones count up', '9101')
    .option(
      '--state-dir <dir>',
      'where the pid/state file lives (read by status and down)',
      DEFAULT_STATE_DIR,
    )
    .option('--no-prometheus', 'do not start Prometheus even when it is installed')
    .option('--prometheus-port <port>', 'Prometheus listen port', '9090')
    .option('--stop-grace-ms <ms>', 'how long a service may drain after SIGTERM before SIGKILL', '30000')
    .option('--scrape-interval <duration>', 'Prometheus scrape and rule interval', DEFAULT_SCRAPE_INTERVAL)
    .option(
      '--import <module>',
      'a module every service preloads (node --import; repeatable), e.g. a test clock',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action((options: UpOptions) => up(options));
}

async function up(options: UpOptions): Promise<void> {
  const stateDir = resolve(options.stateDir);
  const previous = readState(stateDir);
  if (previous && isRunning(previous.supervisorPid))
    throw new Error(`already running (supervisor pid ${previous.supervisorPid}); run \`ballast down\` first`);
  const databaseUrl = process.env.DATABASE_URL;
  // Each service process opens its own database; an embedded PGlite directory cannot be shared by several.
  if (!databaseUrl)
    throw new Error(
      'ballast up needs DATABASE_URL: several processes cannot share the embedded PGlite database',
    );
  if (!/^\d+(ms|s|m)$/.test(options.scrapeInterval))
    throw new Error(`--scrape-interval ${options.scrapeInterval}: expected a duration such as 1s or 15s`);
  await runMigrations(databaseUrl);

  const requested = list(options.services);
  const { start: names, skipped } = configuredServices(
    selectServices(detectServices(REPO_ROOT), requested),
    requested,
    process.env,
  );
  for (const s of skipped) console.log(`${s.name}: not started (${s.reason})`);
  const prometheus = options.prometheus ? findPrometheus() : null;
  const promPort = positiveInteger('--prometheus-port', options.prometheusPort);
  const env = childEnvironment(process.env, DEFAULT_NATS_URL, prometheus ? promPort : null);
  // Read once (NATS_URL_FILE included): an unreadable file stops `up` here, with the variable named.
  const natsUrl = redactUrlPasswords(natsServersFrom(env).join(','));
  const specs = serviceSpecs({
    repoRoot: REPO_ROOT,
    names,
    basePort: positiveInteger('--base-port', options.basePort),
    env,
    imports: options.import,
  });
  if (prometheus) {
    const targets = specs.map((s) => ({ service: s.name, port: s.port ?? 0 }));
    specs.push(
      prometheusSpec({
        binary: prometheus,
        repoRoot: REPO_ROOT,
        stateDir,
        port: promPort,
        targets,
        interval: options.scrapeInterval,
      }),
    );
  } else console.log(options.prometheus ? 'prometheus not installed: not started' : 'prometheus off');

  const startedAt = Date.now();
  const persist = (children: readonly ChildSnapshot[]) =>
    writeState(stateDir, {
      supervisorPid: process.pid,
      startedAt,
      updatedAt: Date.now(),
      natsUrl,
      busPrefix: process.env.BUS_PREFIX ?? null,
      prometheusUrl: prometheus ? `http://127.0.0.1:${promPort}` : null,
      children: children.map(record),
    });
  const supervisor = new Supervisor(specs, {
    policy: DEFAULT_BACKOFF,
    now: Date.now,
    random: Math.random,
    output: (line) => process.stdout.write(`${line}\n`),
    onChange: persist,
    stopGraceMs: positiveInteger('--stop-grace-ms', options.stopGraceMs),
  });
  console.log(`starting ${specs.map((s) => `${s.name}:${s.port}`).join(' ')} (state in ${stateDir})`);
  supervisor.start();
  await stopOnSignal(supervisor, stateDir);
}

async function stopOnSignal(supervisor: Supervisor, stateDir: string): Promise<void> {
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  console.log(`${signal}: stopping every service`);
  await supervisor.stop();
  removeState(stateDir);
  console.log('stopped');
}

async function runMigrations(url: string): Promise<void> {
  const handle = await createDb({ url, poolSize: 1 });
  try {
    const { applied } = await migrate(handle.db);
    console.log(`migrations: ${applied.length} applied on ${handle.target}`);
  } finally {
    await handle.db.destroy();
  }
}

function record(child: ChildSnapshot) {
  return {
    name: child.name,
    pid: child.pid,
    port: child.port,
    script: child.script,
    phase: child.state.phase,
    restarts: child.state.restarts,
    lastExit: child.state.lastExit,
  };
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
