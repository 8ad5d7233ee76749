import { derivedId } from '@ballast/contracts';
import pg from 'pg';
import { describeConnectionError } from './connection-error';

/**
 * The 64-bit key of an advisory lock named `name`: derived from the name (FNV-1a, as derived ids
 * are), so every process and every version of ours computes the same key for one name.
 */
export function advisoryLockKey(name: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${derivedId(name)}`));
}

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own:
 * a pooled connection goes back to the pool between queries, and the lock with whatever session gets
 * it next. The lock lasts as long as the session: `close()` ends it, and so does a process that dies
 * or a connection the server drops, which the next `take()` of another process then gets.
 * Advisory locks belong to one database, so one name in two databases is two locks.
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
    },
  ) {
    this.key = advisoryLockKey(options.name);
  }

  /** Whether this session holds the lock now; false from the moment its connection fails. */
  get held(): boolean {
    return this.holding;
  }

  /**
   * Takes the lock if no other session holds it: true when this session holds it after the call.
   * Connects first when needed; a connection failure rejects with a DbError (the lock is not held).
   */
  async take(): Promise<boolean> {
    if (this.holding) return true;
    const client = await this.connection();
    const { rows } = await client.query<{ taken: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS taken',
      [this.key.toString()],
    );
    this.holding = client === this.client && rows[0]?.taken === true;
    return this.holding;
  }

  /** Ends the session, and with it the lock. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.holding = false;
    await client?.end().catch(() => undefined);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
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
