import type { PriceLevel } from './order-book';

/** A sequence break: the book can no longer be trusted until a fresh snapshot is applied. */
export interface DepthGap {
  kind: 'gap';
  /** Which sequence number broke: Binance `U`, Bybit `u` or Bybit `seq`. */
  field: 'U' | 'u' | 'seq';
  expected: number;
  got: number;
}

/** What happened to one depth event. Never thrown: a bad sequence is an outcome, not an exception. */
export type DepthSyncOutcome =
  | { kind: 'applied'; lastUpdateId: number }
  /** Held until the snapshot arrives (Binance: the REST snapshot is fetched after subscribing). */
  | { kind: 'buffered'; buffered: number }
  /** Already covered by the book (u ≤ last applied id): dropped, harmless. */
  | { kind: 'stale'; lastUpdateId: number }
  /** Arrived while no snapshot is loaded and none can follow it on this stream (Bybit). */
  | { kind: 'awaiting_snapshot' }
  | DepthGap;

export interface SnapshotOutcome {
  kind: 'synced';
  /** Buffered events replayed on top of the snapshot. */
  applied: number;
  /** Buffered events the snapshot already covered. */
  dropped: number;
}

export interface DepthEvent {
  firstUpdateId: number | null;
  lastUpdateId: number;
  bids: readonly PriceLevel[];
  asks: readonly PriceLevel[];
}

export interface DepthSnapshot {
  lastUpdateId: number;
  bids: readonly PriceLevel[];
  asks: readonly PriceLevel[];
}
