import type {
  DepthEvent,
  DepthGap,
  DepthSnapshot,
  DepthSyncOutcome,
  SnapshotOutcome,
} from './depth-sync-outcome';
import { OrderBook } from './order-book';

/**
 * Keeps one symbol's book in step with Binance's diff-depth stream, following Binance's documented
 * procedure: buffer diffs until the REST snapshot arrives, drop diffs with u ≤ lastUpdateId, the
 * first applied diff must bracket lastUpdateId + 1 (U ≤ id + 1 ≤ u), then each U must be the
 * previous u + 1. A break clears the book and asks for a fresh snapshot (`needsSnapshot`).
 */
export class BinanceDepthSync {
  readonly book = new OrderBook();
  private buffer: DepthEvent[] = [];
  private synced = false;
  private firstPending = true;
  private lastUpdateId = 0;

  /** @param maxBuffered diffs held while waiting for a snapshot; the oldest go first. */
  constructor(private readonly maxBuffered = 5_000) {}

  /** True until a snapshot has been applied, and again after a gap. */
  get needsSnapshot(): boolean {
    return !this.synced;
  }

  /** The `u` of the last diff applied (or the snapshot's lastUpdateId). */
  get lastAppliedId(): number {
    return this.lastUpdateId;
  }

  onDiff(event: DepthEvent): DepthSyncOutcome {
    if (!this.synced) return this.hold(event);
    const outcome = this.process(event);
    if (outcome.kind === 'gap') this.restart([event]);
    return outcome;
  }

  /** Loads a REST snapshot and replays the buffered diffs on top of it. */
  onSnapshot(snapshot: DepthSnapshot): SnapshotOutcome | DepthGap {
    this.book.applySnapshot(snapshot.bids, snapshot.asks);
    this.lastUpdateId = snapshot.lastUpdateId;
    this.firstPending = true;
    this.synced = true;
    const pending = this.buffer;
    this.buffer = [];
    let applied = 0;
    let dropped = 0;
    for (let i = 0; i < pending.length; i++) {
      const outcome = this.process(pending[i] as DepthEvent);
      if (outcome.kind === 'gap') {
        this.restart(pending.slice(i));
        return outcome;
      }
      if (outcome.kind === 'applied') applied++;
      else dropped++;
    }
    return { kind: 'synced', applied, dropped };
  }

  private hold(event: DepthEvent): DepthSyncOutcome {
    this.buffer.push(event);
    if (this.buffer.length > this.maxBuffered) this.buffer.shift();
    return { kind: 'buffered', buffered: this.buffer.length };
  }

  private process(event: DepthEvent): DepthSyncOutcome {
    const u = event.lastUpdateId;
    const first = event.firstUpdateId ?? u;
    const expected = this.lastUpdateId + 1;
    if (u < expected) return { kind: 'stale', lastUpdateId: u };
    const inStep = this.firstPending ? first <= expected : first === expected;
    if (!inStep) return { kind: 'gap', field: 'U', expected, got: first };
    this.firstPending = false;
    this.book.applyDelta(event.bids, event.asks);
    this.lastUpdateId = u;
    return { kind: 'applied', lastUpdateId: u };
  }

  /** A book with a hole in it is worse than none: clear it and wait for a fresh snapshot. */
  private restart(buffered: DepthEvent[]): void {
    this.synced = false;
    this.book.clear();
    this.buffer = buffered.slice(-this.maxBuffered);
  }
}
