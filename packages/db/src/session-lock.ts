import { derivedId } from '@ballast/contracts';
import pg from 'pg';
import { describeConnectionError } from './connection-error';
import { DbError } from './db-error';
import { redactSecretsIn } from './redact-url';

/**
 * The 64-bit key of an advisory lock named `name`: derived from the name (FNV-1a, as derived ids
 * are), so every process and every version of ours computes the same key for one name.
 */
export function advisoryLockKey(name: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${derivedId(name)}`));
}

const CONNECT_TIMEOUT_MS = 5_000;
/** Default for how long a query on the lock's session may go unanswered before the session counts as gone. */
const SESSION_LOCK_TIMEOUT_MS = 5_000;
/**
 * Idle time before TCP keepalive probes start: the lock's session is otherwise silent between checks,
 * and a path that dropped it without a FIN or RST (a NAT or proxy that lost its state) is found only by
 * sending something.
 */
const KEEPALIVE_IDLE_MS = 10_000;

/**
 * Whether this backend holds the advisory lock: a bigint key shows in pg_locks as its high 32 bits in
 * `classid`, its low 32 bits in `objid`, and `objsubid` 1.
 */
const HOLDS_SQL = `SELECT EXISTS (
  SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
    AND classid::int8 = $1::int8 AND objid::int8 = $2::int8 AND objsubid = 1) AS held`;

/**
 * A PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own:
 * a pooled connection goes back to the pool between queries, and the lock with whatever session gets
 * it next. The lock lasts as long as the session: `close()` ends it, and so does a process that dies
 * or a connection the server drops, which the next `take()` of another process then gets.
 * Advisory locks belong to one database, so one name in two databases is two locks.
 *
 * A session the server ended may never say so to this side (a half-open connection: the FIN or RST
 * was lost on the way), so `held` alone cannot be trusted for long: `verify()` asks the server, and a
 * session that does not answer within `timeoutMs` counts as gone.
 */
export class SessionLock {
  readonly key: bigint;
  private client: pg.Client | undefined;
  private holding = false;

  constructor(
    private readonly options: {
      url: string;
      name: string;
      /** The lock was held and its connection is gone: it is held no longer. */
      onLost?: (reason: string) => void;
      /** A query on the lock's session unanswered this long fails, and the session is dropped. */
      timeoutMs?: number;
    },
  ) {
    this.key = advisoryLockKey(options.name);
  }

  /**
   * Whether this session held the lock when last seen: false from the moment its connection fails or
   * a check finds it gone; a half-open connection keeps it true until `verify()` is called.
   */
  get held(): boolean {
    return this.holding;
  }

  /**
   * Takes the lock if no other session holds it: true when this session holds it after the call. A
   * session already holding it answers from memory (`verify()` asks the server). Connects first when
   * needed; a connection failure rejects with a DbError, and a failed or unanswered query rejects and
   * drops the session (the lock is not held).
   */
  async take(): Promise<boolean> {
    if (this.holding) return true;
    const client = await this.connection();
    const rows = await this.query<{ taken: boolean }>(
      client,
      'SELECT pg_try_advisory_lock($1::bigint) AS taken',
      [this.key.toString()],
    );
    this.holding = client === this.client && rows[0]?.taken === true;
    return this.holding;
  }

  /**
   * Asks the server whether this session still holds the lock: true only when it answers, within
   * `timeoutMs`, that it does. Anything else (no answer, an error, a session without the lock) ends
   * the session and, if the lock was held, reports its loss through `onLost` before resolving false.
   */
  async verify(): Promise<boolean> {
    const client = this.client;
    if (!client || !this.holding) return false;
    const unsigned = BigInt.asUintN(64, this.key);
    const rows = await this.query<{ held: boolean }>(client, HOLDS_SQL, [
      (unsigned >> 32n).toString(),
      (unsigned & 0xffff_ffffn).toString(),
    ]).catch(() => undefined);
    if (rows && rows[0]?.held !== true) this.dropped(client, 'the session no longer holds the lock');
    return client === this.client && this.holding;
  }

  /** Ends the session, and with it the lock. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.holding = false;
    await client?.end().catch(() => undefined);
  }

  /** A query on the lock's session; one that fails or goes unanswered drops the session and rejects with a DbError. */
  private async query<R extends pg.QueryResultRow>(
    client: pg.Client,
    text: string,
    values: string[],
  ): Promise<R[]> {
    try {
      return (await client.query<R>(text, values)).rows;
    } catch (err) {
      const failure = this.sessionFailure(err);
      this.dropped(client, failure.message);
      throw failure;
    }
  }

  private sessionFailure(err: unknown): DbError {
    const message = err instanceof Error ? err.message : String(err);
    // pg's query_timeout rejects with this message and leaves the session as it was.
    if (message === 'Query read timeout')
      return new DbError('unreachable', `the lock session did not answer within ${this.timeoutMs} ms`);
    return new DbError(
      'connection_failed',
      `the lock session failed: ${redactSecretsIn(message, this.options.url)}`,
    );
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? SESSION_LOCK_TIMEOUT_MS;
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: this.timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
      // Shown in pg_stat_activity: which session holds a lock is found by its name.
      application_name: this.options.name.slice(0, 63),
    });
    // Without a listener a dropped connection would crash the process.
    client.on('error', (err) => this.dropped(client, err instanceof Error ? err.message : String(err)));
    client.on('end', () => this.dropped(client, 'connection closed'));
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw describeConnectionError(err, this.options.url);
    }
    this.client = client;
    return client;
  }

  private dropped(client: pg.Client, reason: string): void {
    if (client !== this.client) return;
    this.client = undefined;
    const wasHeld = this.holding;
    this.holding = false;
    void client.end().catch(() => undefined);
    if (wasHeld) this.options.onLost?.(reason);
  }
}
