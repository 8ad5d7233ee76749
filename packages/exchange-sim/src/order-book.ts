import { toUnits, type Units } from './decimal';

/** A price level as Binance sends it: [price, quantity] decimal strings. */
export type Level = [string, string];

export interface DepthSnapshot {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

export interface DepthDiff {
  U: number;
  u: number;
  b: Level[];
  a: Level[];
}

export interface BookLevel {
  price: Units;
  quantity: Units;
}

/**
 * One symbol's book, seeded from a recorded REST snapshot and moved by the recorded diffs that follow
 * it. Levels keep their recorded strings so served depth is byte-faithful to the recording.
 */
export class SimBook {
  private readonly bids = new Map<string, string>();
  private readonly asks = new Map<string, string>();
  private lastUpdateId: number;
  /** The recorded snapshot, served verbatim until the first diff past it has been replayed. */
  private recorded: DepthSnapshot | undefined;

  constructor(snapshot: DepthSnapshot) {
    this.lastUpdateId = snapshot.lastUpdateId;
    this.recorded = snapshot;
    for (const [p, q] of snapshot.bids) this.bids.set(p, q);
    for (const [p, q] of snapshot.asks) this.asks.set(p, q);
  }

  /** Applies a replayed diff; diffs the snapshot already contains are ignored, as a client would. */
  apply(diff: DepthDiff): void {
    if (diff.u <= this.lastUpdateId) return;
    this.recorded = undefined;
    for (const [p, q] of diff.b) setLevel(this.bids, p, q);
    for (const [p, q] of diff.a) setLevel(this.asks, p, q);
    this.lastUpdateId = diff.u;
  }

  snapshot(limit: number): DepthSnapshot {
    if (this.recorded) {
      const r = this.recorded;
      return { lastUpdateId: r.lastUpdateId, bids: r.bids.slice(0, limit), asks: r.asks.slice(0, limit) };
    }
    return {
      lastUpdateId: this.lastUpdateId,
      bids: sorted(this.bids, -1).slice(0, limit),
      asks: sorted(this.asks, 1).slice(0, limit),
    };
  }

  /** Levels best first: asks ascending for a buyer, bids descending for a seller. */
  levels(side: 'asks' | 'bids'): BookLevel[] {
    return (side === 'asks' ? sorted(this.asks, 1) : sorted(this.bids, -1)).map(([p, q]) => ({
      price: toUnits(p),
      quantity: toUnits(q),
    }));
  }
}

function setLevel(side: Map<string, string>, price: string, qty: string): void {
  if (toUnits(qty) === 0n) side.delete(price);
  else side.set(price, qty);
}

function sorted(side: Map<string, string>, dir: 1 | -1): Level[] {
  return [...side.entries()]
    .map(([p, q]) => ({ u: toUnits(p), level: [p, q] as Level }))
    .sort((x, y) => (x.u < y.u ? -dir : x.u > y.u ? dir : 0))
    .map((x) => x.level);
}
