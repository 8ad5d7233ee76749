import { describe, expect, it } from 'vitest';
import { BybitDepthSync } from './bybit-depth-sync';

// u/seq shaped like orderbook.200.BTCUSDT in bybit-v5-ws/2026-08-09_*; prices from its first snapshot.
const snap = (u: number, seq: number) => ({
  kind: 'snapshot' as const,
  lastUpdateId: u,
  seq,
  bids: [[65114.2, 6.054] as [number, number]],
  asks: [[65114.3, 10.47] as [number, number]],
});
const delta = (u: number, seq: number, size = 6.124) => ({
  kind: 'delta' as const,
  lastUpdateId: u,
  seq,
  bids: [[65114.2, size] as [number, number]],
  asks: [] as Array<[number, number]>,
});

describe('BybitDepthSync', () => {
  it('applies deltas in sequence after a snapshot', () => {
    const sync = new BybitDepthSync();
    expect(sync.onUpdate(delta(15076952, 753843911000))).toEqual({ kind: 'awaiting_snapshot' });
    expect(sync.onUpdate(snap(15076952, 753843911359))).toEqual({ kind: 'applied', lastUpdateId: 15076952 });
    expect(sync.onUpdate(delta(15076953, 753843913870))).toEqual({ kind: 'applied', lastUpdateId: 15076953 });
    expect(sync.book.bestBid()).toEqual([65114.2, 6.124]);
  });

  it('reports a gap on a skipped u and waits for a new snapshot', () => {
    const sync = new BybitDepthSync();
    sync.onUpdate(snap(100, 1000));
    expect(sync.onUpdate(delta(102, 1002))).toEqual({ kind: 'gap', field: 'u', expected: 101, got: 102 });
    expect(sync.needsSnapshot).toBe(true);
    expect(sync.book.bidCount).toBe(0);
    expect(sync.onUpdate(delta(103, 1003))).toEqual({ kind: 'awaiting_snapshot' });
    expect(sync.onUpdate(snap(103, 1003))).toEqual({ kind: 'applied', lastUpdateId: 103 });
    expect(sync.needsSnapshot).toBe(false);
  });

  it('reports a gap when seq does not grow', () => {
    const sync = new BybitDepthSync();
    sync.onUpdate(snap(100, 1000));
    expect(sync.onUpdate(delta(101, 1000))).toEqual({ kind: 'gap', field: 'seq', expected: 1001, got: 1000 });
  });

  it('drops a delta the book already holds', () => {
    const sync = new BybitDepthSync();
    sync.onUpdate(snap(100, 1000));
    expect(sync.onUpdate(delta(100, 1000))).toEqual({ kind: 'stale', lastUpdateId: 100 });
  });

  it('resets on a snapshot with u = 1 after a venue restart', () => {
    const sync = new BybitDepthSync();
    sync.onUpdate(snap(100, 1000));
    sync.onUpdate(delta(101, 1001));
    expect(sync.onUpdate(snap(1, 5))).toEqual({ kind: 'applied', lastUpdateId: 1 });
    expect(sync.onUpdate(delta(2, 6))).toEqual({ kind: 'applied', lastUpdateId: 2 });
  });
});
