import type { BookUpdate } from '@ballast/contracts';
import { type BookSides, BybitDepthSync } from '@ballast/core';
import type { DepthLog } from './binance-depth-pipeline';
import type { BookPublisher } from './book-publisher';
import type { MarketDataMetrics } from './metrics';

export interface BybitDepthDeps {
  /** Contracts venue id, for the metrics' venue label. */
  venue: string;
  books: BookPublisher;
  metrics: MarketDataMetrics;
  log: DepthLog;
  status(symbol: string, state: 'resyncing' | 'live', reason: string): void;
  /** Bybit sends a fresh snapshot after a re-subscription: how a broken book is rebuilt. */
  resubscribe(symbol: string): void;
  /** A re-subscription whose snapshot has not come within this long is sent again. */
  snapshotTimeoutMs: number;
  /** The symbols whose book the connection subscribes: each waits for a snapshot on every new one. */
  symbols: readonly string[];
}

/**
 * Bybit `orderbook.N`: snapshots on the stream, deltas checked by `u` and `seq`. A broken book is
 * rebuilt from the snapshot a re-subscription brings; one that never comes (a lost reply, a refused
 * subscribe, a first snapshot dropped as invalid) is asked for again, or the book would wait for it
 * until the next connection. A book waiting for its snapshot is resyncing, never live.
 */
export class BybitDepthPipeline implements Disposable {
  private readonly syncs = new Map<string, BybitDepthSync>();
  /** Per symbol resyncing, the timer that re-subscribes if its snapshot has not come. */
  private readonly awaiting = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: BybitDepthDeps) {}

  book(symbol: string): (BookSides & { lastUpdateId: number }) | undefined {
    const sync = this.syncs.get(symbol);
    if (!sync || sync.needsSnapshot) return undefined;
    return { ...sync.book.levels(), lastUpdateId: sync.lastAppliedId };
  }

  /**
   * A new connection (the first included) subscribes every topic again, so every book waits for a
   * fresh snapshot: the subscription asked for it, and a re-subscription asks again if it does not come.
   */
  reset(): void {
    this.syncs.clear();
    this.stopWaiting();
    for (const symbol of this.deps.symbols) {
      this.deps.status(symbol, 'resyncing', 'waiting for the depth snapshot');
      this.awaitSnapshot(symbol);
    }
  }

  [Symbol.dispose](): void {
    this.stopWaiting();
  }

  onUpdate(update: BookUpdate, sequence: number | null): string {
    let sync = this.syncs.get(update.symbol);
    if (!sync) {
      sync = new BybitDepthSync();
      this.syncs.set(update.symbol, sync);
    }
    const wasSynced = !sync.needsSnapshot;
    const outcome = sync.onUpdate({ ...update, seq: sequence });
    switch (outcome.kind) {
      case 'applied':
        this.deps.books.publish(update);
        if (!wasSynced) {
          this.snapshotCame(update.symbol);
          this.deps.status(update.symbol, 'live', 'depth snapshot received');
        }
        return 'ok';
      case 'stale':
        return 'stale_update';
      case 'awaiting_snapshot':
        // No snapshot is asked for: this connection's first one was lost (or its symbol never reset).
        if (!this.awaiting.has(update.symbol)) {
          this.deps.log.warn({ symbol: update.symbol }, 'depth update without a snapshot: resubscribing');
          this.deps.status(update.symbol, 'resyncing', 'depth update without a snapshot');
          this.resubscribe(update.symbol);
        }
        return 'awaiting_snapshot';
      case 'gap':
        this.deps.metrics.gap(this.deps.venue, update.symbol, 'depth');
        this.deps.log.warn({ symbol: update.symbol, ...outcome }, 'depth gap: resubscribing for a snapshot');
        this.deps.status(
          update.symbol,
          'resyncing',
          `depth gap: ${outcome.field} expected ${outcome.expected}, got ${outcome.got}`,
        );
        this.resubscribe(update.symbol);
        return 'depth_gap';
      default:
        return 'ok';
    }
  }

  private resubscribe(symbol: string): void {
    this.deps.resubscribe(symbol);
    this.awaitSnapshot(symbol);
  }

  /** Re-subscribes if the symbol's snapshot has not come within the timeout. */
  private awaitSnapshot(symbol: string): void {
    clearTimeout(this.awaiting.get(symbol));
    const timer = setTimeout(() => {
      this.awaiting.delete(symbol);
      // No sync at all: not one frame of the book came (a refused subscribe).
      if (!(this.syncs.get(symbol)?.needsSnapshot ?? true)) return;
      this.deps.log.warn(
        { symbol, waitedMs: this.deps.snapshotTimeoutMs },
        'depth snapshot not received after subscribing: resubscribing',
      );
      this.resubscribe(symbol);
    }, this.deps.snapshotTimeoutMs);
    this.awaiting.set(symbol, timer);
  }

  private snapshotCame(symbol: string): void {
    clearTimeout(this.awaiting.get(symbol));
    this.awaiting.delete(symbol);
  }

  private stopWaiting(): void {
    for (const timer of this.awaiting.values()) clearTimeout(timer);
    this.awaiting.clear();
  }
}
