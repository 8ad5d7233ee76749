import type { DepthGap, DepthSyncOutcome } from './depth-sync-outcome';
import type { PriceLevel } from './order-book';
import { OrderBook } from './order-book';

export interface BybitDepthEvent {
  kind: 'snapshot' | 'delta';
  /** Bybit `u`. */
  lastUpdateId: number;
  /** Bybit `seq` (cross sequence), when the venue sent one. */
  seq: number | null;
  bids: readonly PriceLevel[];
  asks: readonly PriceLevel[];
}

/**
 * Keeps one symbol's book in step with Bybit v5 `orderbook.N`: a snapshot always resets the book
 * (Bybit re-sends one with u = 1 after a service restart, so no sequence check applies across it);
 * each delta must carry u = previous u + 1 and a larger seq. A break clears the book; the caller
 * re-subscribes to get a fresh snapshot (`needsSnapshot`).
 */
export class BybitDepthSync {
  readonly book = new OrderBook();
  private synced = false;
  private lastUpdateId = 0;
  private lastSeq: number | null = null;

  get needsSnapshot(): boolean {
    return !this.synced;
  }

  get lastAppliedId(): number {
    return this.lastUpdateId;
  }

  onUpdate(event: BybitDepthEvent): DepthSyncOutcome {
    if (event.kind === 'snapshot') return this.reset(event);
    if (!this.synced) return { kind: 'awaiting_snapshot' };
    const expected = this.lastUpdateId + 1;
    if (event.lastUpdateId < expected) return { kind: 'stale', lastUpdateId: event.lastUpdateId };
    const gap = this.breakIn(event, expected);
    if (gap) {
      this.synced = false;
      this.book.clear();
      return gap;
    }
    this.book.applyDelta(event.bids, event.asks);
    this.lastUpdateId = event.lastUpdateId;
    this.lastSeq = event.seq ?? this.lastSeq;
    return { kind: 'applied', lastUpdateId: event.lastUpdateId };
  }

  private reset(event: BybitDepthEvent): DepthSyncOutcome {
    this.book.applySnapshot(event.bids, event.asks);
    this.lastUpdateId = event.lastUpdateId;
    this.lastSeq = event.seq;
    this.synced = true;
    return { kind: 'applied', lastUpdateId: event.lastUpdateId };
  }

  private breakIn(event: BybitDepthEvent, expected: number): DepthGap | undefined {
    if (event.lastUpdateId !== expected)
      return { kind: 'gap', field: 'u', expected, got: event.lastUpdateId };
    if (event.seq !== null && this.lastSeq !== null && event.seq <= this.lastSeq)
      return { kind: 'gap', field: 'seq', expected: this.lastSeq + 1, got: event.seq };
    return undefined;
  }
}
