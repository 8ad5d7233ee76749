import type { BookUpdate } from '@ballast/contracts';
import { type BookSides, BybitDepthSync } from '@ballast/core';
import type { DepthLog } from './binance-depth-pipeline';
import type { BookPublisher } from './book-publisher';
import type { MarketDataMetrics } from './metrics';

export interface BybitDepthDeps {
  books: BookPublisher;
  metrics: MarketDataMetrics;
  log: DepthLog;
  status(symbol: string, state: 'resyncing' | 'live', reason: string): void;
  /** Bybit sends a fresh snapshot after a re-subscription: how a broken book is rebuilt. */
  resubscribe(symbol: string): void;
}

/** Bybit `orderbook.N`: snapshots on the stream, deltas checked by `u` and `seq`. */
export class BybitDepthPipeline {
  private readonly syncs = new Map<string, BybitDepthSync>();

  constructor(private readonly deps: BybitDepthDeps) {}

  book(symbol: string): (BookSides & { lastUpdateId: number }) | undefined {
    const sync = this.syncs.get(symbol);
    if (!sync || sync.needsSnapshot) return undefined;
    return { ...sync.book.levels(), lastUpdateId: sync.lastAppliedId };
  }

  reset(): void {
    this.syncs.clear();
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
        if (!wasSynced) this.deps.status(update.symbol, 'live', 'depth snapshot received');
        return 'ok';
      case 'stale':
        return 'stale_update';
      case 'awaiting_snapshot':
        return 'awaiting_snapshot';
      case 'gap':
        this.deps.metrics.gaps.inc({ kind: 'depth' });
        this.deps.log.warn({ symbol: update.symbol, ...outcome }, 'depth gap: resubscribing for a snapshot');
        this.deps.status(
          update.symbol,
          'resyncing',
          `depth gap: ${outcome.field} expected ${outcome.expected}, got ${outcome.got}`,
        );
        this.deps.resubscribe(update.symbol);
        return 'depth_gap';
      default:
        return 'ok';
    }
  }
}
