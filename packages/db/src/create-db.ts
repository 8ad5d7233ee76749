import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describeConnectionError } from './connection-error';
import type { Database } from './database';
import { DbError } from './db-error';
import { pgliteDialect } from './pglite-dialect';
import { redactUrl } from './redact-url';

/** Where the zero-setup embedded database lives when no DATABASE_URL is given. */
export const DEFAULT_PGLITE_DIR = '.ballast/pglite';
/** PGlite's in-memory store, for tests. */
export const PGLITE_IN_MEMORY = 'memory://';

export interface DbOptions {
  /** postgres:// or postgresql://; unset selects embedded PGlite. */
  readonly url?: string | undefined;
  /** PGlite data directory, or `memory://`; default `.ballast/pglite`. Ignored when `url` is set. */
  readonly pgliteDir?: string | undefined;
  /** pg pool size; small because every service and test file shares max_connections (100). */
  readonly poolSize?: number | undefined;
  /** Errors of idle pooled clients (e.g. the server restarted); the pool drops such a client itself. */
  readonly onIdleClientError?: ((message: string) => void) | undefined;
  /**
   * `asynchronous`: commits return before the WAL reaches the disk (PostgreSQL's synchronous_commit
   * off), for services whose writes can be derived again; a server crash may lose the last moment of
   * them, never corrupt anything. Default `durable`. See docs/adr/0007. PGlite ignores it.
   */
  readonly commit?: 'durable' | 'asynchronous' | undefined;
  /**
   * How long an idle pooled connection is kept, in ms; 0 keeps it for good (with TCP keepalive, so a
   * peer that vanished is noticed). Default pg's 10 s. A service keeps its connections: its triggers
   * come a candle apart (an hour), and each would otherwise open fresh ones on the path to an order.
   */
  readonly idleTimeoutMs?: number | undefined;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string | undefined;
}

export interface DbHandle {
  readonly db: Kysely<Database>;
  readonly driver: 'pg' | 'pglite';
  /** Where it is connected, safe to print: the URL with its password masked, or the PGlite directory. */
  readonly target: string;
}

const DEFAULT_POOL_SIZE = 5;
const CONNECT_TIMEOUT_MS = 5_000;

/** Opens PostgreSQL (checked with one round trip, so a bad URL fails here) or embedded PGlite. */
export async function createDb(options: DbOptions): Promise<DbHandle> {
  return options.url === undefined || options.url === ''
    ? openPglite(options)
    : openPostgres(options.url, options);
}

async function openPostgres(url: string, options: DbOptions): Promise<DbHandle> {
  const target = redactUrl(url);
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new DbError(
      'unsupported_url',
      `unsupported database url ${target}: expected postgres:// or postgresql://`,
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMillis: options.idleTimeoutMs }),
    ...(options.idleTimeoutMs === 0 ? { keepAlive: true } : {}),
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
    ...(options.commit === 'asynchronous' ? { options: '-c synchronous_commit=off' } : {}),
  });
  const report = options.onIdleClientError;
  // Without a listener an idle client's error would crash the process.
  pool.on('error', (err) => report?.(describeConnectionError(err, url).message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`SELECT 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw describeConnectionError(err, url);
  }
  return { db, driver: 'pg', target };
}

async function openPglite(options: DbOptions): Promise<DbHandle> {
  const dir = options.pgliteDir ?? DEFAULT_PGLITE_DIR;
  if (!dir.includes('://')) mkdirSync(dir, { recursive: true });
  // Imported on demand: loading PGlite costs about a second that pg users should not pay.
  const { PGlite } = await import('@electric-sql/pglite');
  const client = await PGlite.create(dir === PGLITE_IN_MEMORY ? {} : { dataDir: dir });
  // Nothing in memory outlives the process, so waiting for each commit's WAL flush buys nothing; a
  // backtest commits a few statements per order (synchronous_commit off, as `commit: 'asynchronous'`).
  if (dir === PGLITE_IN_MEMORY) await client.exec('SET synchronous_commit TO off');
  return {
    db: new Kysely<Database>({ dialect: pgliteDialect(client) }),
    driver: 'pglite',
    target: `pglite:${dir}`,
  };
}
