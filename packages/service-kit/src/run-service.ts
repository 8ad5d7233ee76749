import type { Bus, BusDeps, BusObserver } from '@ballast/bus';
import type { Clock, IdGenerator } from '@ballast/contracts';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { type BaseConfig, baseConfigSchema } from './base-config';
import { ConfigError } from './config-error';
import type { Env } from './env-files';
import { ExitCode } from './exit-codes';
import { buildHttpServer } from './http-server';
import { LastErrorRecorder } from './last-error';
import { Lifecycle } from './lifecycle';
import { type ConfigSchema, type LoadedConfig, readConfig } from './load-config';
import { createLogger, type LogDestination, type Logger } from './logger';
import { createMetricsRegistry } from './metrics-registry';
import { PromBusObserver } from './prom-bus-observer';
import { evaluateReadiness, type ReadinessCheck } from './readiness';
import { createRedactor } from './redactor';
import { disposeService, type ServiceHandle } from './service-handle';
import { postgresSoleLock, takeSoleProcessLock } from './sole-process';
import { StartRefusedError } from './start-refused-error';
import { SystemClock } from './system-clock';
import { UptimeSampler, type UptimeSampleSink } from './uptime-sampler';
import { uuidv7Ids } from './uuidv7-ids';

/** A service's configuration: the shared base plus its own variables. */
export type ConfigOf<S extends ConfigSchema> = BaseConfig & z.output<S>;

/** What `connectDb` hands back: the handle the service uses, how to close it, how to probe it. */
export interface DbConnection<D> {
  db: D;
  close(): Promise<void>;
  ready?: () => Promise<boolean> | boolean;
  /** Where health samples go (the readiness gate's uptime); without it none are recorded. */
  uptime?: UptimeSampleSink;
}

export interface ServiceDeps<C, B, D> {
  config: C;
  log: Logger;
  clock: Clock;
  ids: IdGenerator;
  metrics: Registry;
  busObserver: BusObserver;
  bus: B;
  db: D;
  /** Adds a dependency of the service's own (an exchange connection) to /readyz. */
  addReadinessCheck(check: ReadinessCheck): void;
}

export interface RunServiceOptions<S extends ConfigSchema, B extends Bus | undefined, D> {
  name: string;
  /** The service's own variables; merged over `baseConfigSchema`, so passing an extension of it works too. */
  configSchema: S;
  /** Variable names to treat as secrets beyond the *_KEY / *_SECRET / *_TOKEN / *_PASSWORD / *_PASS rule. */
  secret?: readonly string[];
  /** Which transport the service talks over is the caller's choice (NatsBus live, MemoryBus in tests). */
  connectBus?: (config: ConfigOf<S>, deps: BusDeps & { log: Logger }) => Promise<B>;
  connectDb?: (config: ConfigOf<S>, deps: { log: Logger }) => Promise<DbConnection<D>>;
  start: (deps: ServiceDeps<ConfigOf<S>, B, D>) => Promise<ServiceHandle> | ServiceHandle;
  /**
   * The venue this process trades on, for a service run as one process per venue (risk, orders, stops):
   * it runs only while it holds the lock `ballast-<name>:<venue>` on DATABASE_URL, taken before `start`,
   * standing by while another process holds it (ADR 24); and its uptime samples name the venue, so the
   * readiness gate judges each venue's process on its own.
   */
  venue?: (config: ConfigOf<S>) => string;
  /** Defaults to `process.env`; SERVICE_NAME defaults to `name`. */
  env?: Env;
  logDestination?: LogDestination;
}

type Options<S extends ConfigSchema, B extends Bus | undefined, D> = RunServiceOptions<S, B, D>;

/**
 * The one main helper: parse env whole, log, serve health and metrics, connect, start the
 * service, and on SIGTERM/SIGINT stop taking work, dispose the service, drain the bus, close
 * the database and HTTP, exit 0. Invalid configuration exits 78, whether the schema refuses it or the
 * service's start does (a ConfigError: limits or agents that cannot run as configured), or the start is
 * refused on what the service found (a StartRefusedError); failures exit 1.
 */
export async function runService<
  S extends ConfigSchema,
  B extends Bus | undefined = undefined,
  D = undefined,
>(options: Options<S, B, D>): Promise<void> {
  const { config, secrets } = configOrExit(options);
  // Remembers the last error logged, for /readyz (and so `ballast status`).
  const lastError = new LastErrorRecorder(
    options.logDestination ?? pino.destination({ dest: 1, sync: true }),
  );
  const log = createLogger({
    service: config.SERVICE_NAME,
    level: config.LOG_LEVEL,
    secrets,
    destination: lastError,
  });
  const lifecycle = new Lifecycle(log, config.SHUTDOWN_TIMEOUT_MS);
  lifecycle.install();
  const startup = startAll(options, { config, secrets, log, lifecycle, lastError });
  lifecycle.trackStartup(startup);
  try {
    await startup;
  } catch (err) {
    // A configuration refused at start does not heal by restarting: 78 tells supervisors to stop trying.
    if (err instanceof ConfigError || err instanceof StartRefusedError) {
      log.fatal({ reason: err.reason }, err.message);
      await lifecycle.shutdown(ExitCode.config);
      return;
    }
    log.error({ err }, 'start failed');
    await lifecycle.shutdown(ExitCode.failure);
  }
}

type ConfigInputs<S extends ConfigSchema> = Pick<
  Options<S, undefined, unknown>,
  'name' | 'configSchema' | 'secret' | 'env' | 'logDestination'
>;

function configOrExit<S extends ConfigSchema>(options: ConfigInputs<S>) {
  const env = { SERVICE_NAME: options.name, ...(options.env ?? process.env) };
  const schema = baseConfigSchema.extend(options.configSchema.shape);
  try {
    return readConfig(schema, env, { secret: options.secret ?? [] }) as LoadedConfig<S> & {
      config: ConfigOf<S>;
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const destination = options.logDestination ? { destination: options.logDestination } : {};
    // The message already lists every problem; a stack would only bury it.
    createLogger({ service: options.name, ...destination }).fatal({ reason: err.reason }, err.message);
    return process.exit(ExitCode.config);
  }
}

interface Started<C> {
  config: C;
  secrets: string[];
  log: Logger;
  lifecycle: Lifecycle;
  lastError: LastErrorRecorder;
}

async function startAll<S extends ConfigSchema, B extends Bus | undefined, D>(
  options: Options<S, B, D>,
  { config, secrets, log, lifecycle, lastError }: Started<ConfigOf<S>>,
): Promise<void> {
  const clock = new SystemClock();
  const ids = uuidv7Ids(clock);
  const metrics = createMetricsRegistry();
  const busObserver = new PromBusObserver(metrics);
  let started = false;
  const readiness: ReadinessCheck[] = [{ name: 'service', check: () => started && !lifecycle.isStopping }];
  const http = {
    registry: metrics,
    readiness,
    log,
    redact: createRedactor(secrets),
    lastError: () => lastError.get(),
  };
  await serveHttp(config, http, lifecycle);
  const { db, uptime } = await openDb(options.connectDb, config, log, readiness, lifecycle);
  const busDeps = { source: config.SERVICE_NAME, clock, ids, observer: busObserver, log };
  const bus = await openBus(options.connectBus, config, busDeps, readiness, lifecycle);
  if (options.venue) {
    const sole = {
      name: `ballast-${options.name}:${options.venue(config)}`,
      config,
      log,
      lifecycle,
      readiness,
    };
    if (!(await holdSoleLock(sole))) return;
  }
  log.info('starting service');
  const addReadinessCheck = (check: ReadinessCheck) => void readiness.push(check);
  const handle = await options.start({
    config,
    log,
    clock,
    ids,
    metrics,
    busObserver,
    bus,
    db,
    addReadinessCheck,
  });
  lifecycle.onStop({ name: 'service', run: () => disposeService(handle) });
  started = true;
  log.info('started');
  if (uptime && config.UPTIME_SAMPLE_MS > 0) {
    const sampler = new UptimeSampler({
      service: config.SERVICE_NAME,
      ...(options.venue ? { venue: options.venue(config) } : {}),
      clock,
      intervalMs: config.UPTIME_SAMPLE_MS,
      healthy: async () => (await evaluateReadiness(readiness)).ready,
      sink: uptime,
      onError: (err) => log.warn({ err }, 'uptime sample not recorded'),
    });
    sampler.start();
    lifecycle.onStop({ name: 'uptime', run: async () => sampler.stop() });
  }
}

interface SoleLockDeps {
  name: string;
  config: BaseConfig;
  log: Logger;
  lifecycle: Lifecycle;
  readiness: ReadinessCheck[];
}

/**
 * Takes the process's sole lock, standing by while another process holds it: false when asked to stop
 * first. Taken after the bus and database are open, before the service subscribes to anything.
 */
async function holdSoleLock({ name, config, log, lifecycle, readiness }: SoleLockDeps): Promise<boolean> {
  // Embedded PGlite (no DATABASE_URL) belongs to this one process: nothing to lock.
  if (!config.DATABASE_URL) return true;
  // A standby reads not ready and says why (`ballast status`, /readyz).
  let holding = false;
  let waiting = `${name} not taken yet`;
  readiness.push({
    name: 'sole lock',
    check: () => {
      if (!holding) throw new Error(waiting);
      return true;
    },
  });
  const lock = await takeSoleProcessLock({
    name,
    lock: postgresSoleLock(config.DATABASE_URL, name),
    retryMs: config.SOLE_PROCESS_RETRY_MS,
    log,
    stopping: lifecycle.stopRequested,
    waiting: (why) => {
      waiting = why;
    },
    lost: (reason) => {
      holding = false;
      waiting = `${name} lost: ${reason}`;
      log.fatal({ lock: name, reason }, `${name} lost: stopping, so two processes never run it at once`);
      void lifecycle.shutdown(ExitCode.failure);
    },
  });
  if (!lock) return false;
  holding = true;
  // Registered before the service's own step, so it is released only after the service has stopped.
  lifecycle.onStop({ name: 'sole lock', run: () => lock.close() });
  return true;
}

async function serveHttp(
  config: BaseConfig,
  server: Parameters<typeof buildHttpServer>[0],
  lifecycle: Lifecycle,
): Promise<void> {
  const app = buildHttpServer(server);
  await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  // Closed last, so probes and scrapes keep answering while work drains.
  lifecycle.onStop({ name: 'http', run: () => app.close() });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  server.log.info({ host: config.HTTP_HOST, port }, 'http listening');
}

async function openDb<C, D>(
  connect: ((config: C, deps: { log: Logger }) => Promise<DbConnection<D>>) | undefined,
  config: C,
  log: Logger,
  readiness: ReadinessCheck[],
  lifecycle: Lifecycle,
): Promise<{ db: D; uptime?: UptimeSampleSink }> {
  if (!connect) return { db: undefined as D };
  const connection = await connect(config, { log });
  lifecycle.onStop({ name: 'database', run: () => connection.close() });
  if (connection.ready) readiness.push({ name: 'database', check: connection.ready });
  return { db: connection.db, ...(connection.uptime ? { uptime: connection.uptime } : {}) };
}

async function openBus<C, B extends Bus | undefined>(
  connect: ((config: C, deps: BusDeps & { log: Logger }) => Promise<B>) | undefined,
  config: C,
  deps: BusDeps & { log: Logger },
  readiness: ReadinessCheck[],
  lifecycle: Lifecycle,
): Promise<B> {
  if (!connect) return undefined as B;
  const bus = await connect(config, deps);
  if (!bus) return bus;
  // Registered after the database, so it drains (finishing and acking in-flight work) before the database closes.
  lifecycle.onStop({ name: 'bus', run: () => bus.drain() });
  readiness.push({ name: 'bus', check: () => bus.isHealthy() });
  return bus;
}
