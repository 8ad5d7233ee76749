import type { BookUpdate, Clock } from '@ballast/contracts';
import { BinanceDepthSync, type BookSides, type RestRetryOptions, restRetryDelay } from '@ballast/core';
import { RestError, restFailureWait } from '@ballast/exchange';
import type { BookPublisher } from './book-publisher';
import type { MarketDataMetrics } from './metrics';

export interface DepthLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SnapshotSource {
  fetchDepthSnapshot(symbol: string, limit: number): Promise<BookUpdate>;
}

export interface BinanceDepthDeps {
  venue: string;
  rest: SnapshotSource;
  snapshotLimit: number;
  clock: Clock;
  books: BookPublisher;
  metrics: MarketDataMetrics;
  log: DepthLog;
  /** Retries of a failed (or too old) snapshot: capped, jittered backoff honouring the venue's waits. */
  retry: RestRetryOptions;
  /** Uniform in [0, 1): retry jitter. */
  random01: () => number;
  status(symbol: string, state: 'resyncing' | 'live', reason: string): void;
  /** The symbols whose book the connection subscribes: each waits for a snapshot on every new one. */
  symbols: readonly string[];
}

/**
 * Binance diff depth: diffs are buffered while the REST snapshot is fetched (Binance's documented
 * procedure, in BinanceDepthSync); a broken sequence clears the book and resyncs from a fresh snapshot.
 */
export class BinanceDepthPipeline implements Disposable {
  private readonly syncs = new Map<string, BinanceDepthSync>();
  private readonly fetching = new Set<string>();
  /** Failed snapshot attempts in a row per symbol (drives the backoff); cleared once synced. */
  private readonly failures = new Map<string, number>();
  /**
   * Per symbol, the pending retry: until it fires no diff or gap fetches early (a ban would grow).
   * `venueWait`: the venue named the wait (a ban, a Retry-After); only those outlive a new connection.
   */
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; venueWait: boolean }>();
  private disposed = false;

  constructor(private readonly deps: BinanceDepthDeps) {}

  /** Our current book for a symbol, with the last applied update id; undefined while resyncing. */
  book(symbol: string): (BookSides & { lastUpdateId: number }) | undefined {
    const sync = this.syncs.get(symbol);
    if (!sync || sync.needsSnapshot) return undefined;
    return { ...sync.book.levels(), lastUpdateId: sync.lastAppliedId };
  }

  /**
   * A new connection carries no history: every book starts over from a fresh snapshot, at once unless
   * the venue asked us to wait (the backoff of failures before the reconnect is no reason to wait now).
   * Each is resyncing from now, not from its first diff: until then the connection's return would
   * report it live with no book (a quiet book's first diff can be seconds away).
   */
  reset(): void {
    this.syncs.clear();
    for (const [symbol, retry] of this.retries) {
      if (retry.venueWait) continue;
      clearTimeout(retry.timer);
      this.retries.delete(symbol);
      this.failures.delete(symbol);
    }
    for (const symbol of this.deps.symbols)
      this.deps.status(symbol, 'resyncing', 'waiting for the depth snapshot');
  }

  onDiff(update: BookUpdate): string {
    const sync = this.syncFor(update.symbol);
    const outcome = sync.onDiff(update);
    switch (outcome.kind) {
      case 'applied':
        this.deps.books.publish(update);
        return 'ok';
      case 'buffered':
        this.fetchSnapshot(update.symbol);
        return 'ok';
      case 'stale':
        return 'stale_update';
      case 'gap':
        this.deps.metrics.gap(this.deps.venue, update.symbol, 'depth');
        this.deps.log.warn({ symbol: update.symbol, ...outcome }, 'depth gap: resyncing');
        this.deps.status(
          update.symbol,
          'resyncing',
          `depth gap: ${outcome.field} expected ${outcome.expected}, got ${outcome.got}`,
        );
        this.fetchSnapshot(update.symbol);
        return 'depth_gap';
      default:
        return 'ok';
    }
  }

  private syncFor(symbol: string): BinanceDepthSync {
    let sync = this.syncs.get(symbol);
    if (!sync) {
      sync = new BinanceDepthSync();
      this.syncs.set(symbol, sync);
      this.deps.status(symbol, 'resyncing', 'waiting for the depth snapshot');
    }
    return sync;
  }

  private fetchSnapshot(symbol: string): void {
    if (this.fetching.has(symbol) || this.retries.has(symbol) || this.disposed) return;
    this.fetching.add(symbol);
    void this.deps.rest
      .fetchDepthSnapshot(symbol, this.deps.snapshotLimit)
      .then((snapshot) => this.applySnapshot(symbol, snapshot))
      .catch((err: unknown) => this.retry(symbol, err))
      .finally(() => this.fetching.delete(symbol));
  }

  private applySnapshot(symbol: string, snapshot: BookUpdate): void {
    const sync = this.syncs.get(symbol);
    if (!sync?.needsSnapshot) return;
    const outcome = sync.onSnapshot(snapshot);
    if (outcome.kind === 'gap') {
      // The snapshot is older than the diffs we hold: a newer one will bracket them.
      this.deps.log.warn({ symbol, ...outcome }, 'depth snapshot too old: fetching again');
      this.retry(symbol, undefined);
      return;
    }
    this.failures.delete(symbol);
    const levels = sync.book.levels();
    this.deps.books.publish({
      exchange: this.deps.venue,
      symbol,
      kind: 'snapshot',
      firstUpdateId: null,
      lastUpdateId: sync.lastAppliedId,
      bids: levels.bids.map(([p, s]) => [p, s]),
      asks: levels.asks.map(([p, s]) => [p, s]),
      time: this.deps.clock.now(),
    });
    this.deps.log.info({ symbol, lastUpdateId: sync.lastAppliedId, ...outcome }, 'depth synced');
    this.deps.status(symbol, 'live', 'depth synced');
  }

  /** Schedules the next snapshot: `err` undefined for a snapshot that came back too old. */
  private retry(symbol: string, err: unknown): void {
    if (this.disposed) return;
    const attempt = this.failures.get(symbol) ?? 0;
    this.failures.set(symbol, attempt + 1);
    const rest = err instanceof RestError ? err : undefined;
    const wait = restFailureWait(err);
    const delayMs = restRetryDelay(attempt, this.deps.retry, this.deps.random01(), wait);
    if (err !== undefined) {
      const reason = rest?.reason ?? 'unknown';
      this.deps.metrics.snapshotFailures.inc({ venue: this.deps.venue, reason });
      const context = { symbol, reason, failures: attempt + 1, retryInMs: delayMs, err: String(err) };
      if (wait.banned) this.deps.log.error(context, 'depth snapshot: IP banned (HTTP 418), waiting it out');
      else this.deps.log.error(context, 'depth snapshot failed');
    }
    const timer = setTimeout(() => {
      this.retries.delete(symbol);
      this.fetchSnapshot(symbol);
    }, delayMs);
    this.retries.set(symbol, { timer, venueWait: rest?.venueNamedWait ?? false });
  }

  [Symbol.dispose](): void {
    this.disposed = true;
    for (const { timer } of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }
}
