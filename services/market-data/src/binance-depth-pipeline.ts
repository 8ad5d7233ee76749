import type { BookUpdate, Clock } from '@ballast/contracts';
import { BinanceDepthSync, type BookSides } from '@ballast/core';
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
  status(symbol: string, state: 'resyncing' | 'live', reason: string): void;
}

const RETRY_SNAPSHOT_MS = 500;

/**
 * Binance diff depth: diffs are buffered while the REST snapshot is fetched (Binance's documented
 * procedure, in BinanceDepthSync); a broken sequence clears the book and resyncs from a fresh snapshot.
 */
export class BinanceDepthPipeline implements Disposable {
  private readonly syncs = new Map<string, BinanceDepthSync>();
  private readonly fetching = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly deps: BinanceDepthDeps) {}

  /** Our current book for a symbol, with the last applied update id; undefined while resyncing. */
  book(symbol: string): (BookSides & { lastUpdateId: number }) | undefined {
    const sync = this.syncs.get(symbol);
    if (!sync || sync.needsSnapshot) return undefined;
    return { ...sync.book.levels(), lastUpdateId: sync.lastAppliedId };
  }

  /** A new connection carries no history: every book starts over from a fresh snapshot. */
  reset(): void {
    this.syncs.clear();
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
        this.deps.metrics.gaps.inc({ kind: 'depth' });
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
    if (this.fetching.has(symbol) || this.disposed) return;
    this.fetching.add(symbol);
    void this.deps.rest
      .fetchDepthSnapshot(symbol, this.deps.snapshotLimit)
      .then((snapshot) => this.applySnapshot(symbol, snapshot))
      .catch((err: unknown) => {
        this.deps.log.error({ symbol, err: String(err) }, 'depth snapshot failed');
        this.retry(symbol);
      })
      .finally(() => this.fetching.delete(symbol));
  }

  private applySnapshot(symbol: string, snapshot: BookUpdate): void {
    const sync = this.syncs.get(symbol);
    if (!sync?.needsSnapshot) return;
    const outcome = sync.onSnapshot(snapshot);
    if (outcome.kind === 'gap') {
      // The snapshot is older than the diffs we hold: a newer one will bracket them.
      this.deps.log.warn({ symbol, ...outcome }, 'depth snapshot too old: fetching again');
      this.retry(symbol);
      return;
    }
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

  private retry(symbol: string): void {
    if (this.disposed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.fetchSnapshot(symbol);
    }, RETRY_SNAPSHOT_MS);
    this.timers.add(timer);
  }

  [Symbol.dispose](): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
  }
}
