import { describe, expect, it } from 'vitest';
import { BinanceDepthSync } from './binance-depth-sync';

// Update ids shaped like BTCUSDT in binance-spot-ws/2021-04-04_*: the snapshot's lastUpdateId falls inside a diff.
const diff = (U: number, u: number, price = 58001.03, size = 1) => ({
  firstUpdateId: U,
  lastUpdateId: u,
  bids: [[price, size]] as Array<[number, number]>,
  asks: [] as Array<[number, number]>,
});
const snapshot = {
  lastUpdateId: 105,
  bids: [[58000, 0.47] as [number, number]],
  asks: [[58001.04, 1.8] as [number, number]],
};

describe('BinanceDepthSync', () => {
  it('buffers diffs until the snapshot, drops those it covers and applies the bracketing one', () => {
    const sync = new BinanceDepthSync();
    expect(sync.onDiff(diff(100, 103))).toEqual({ kind: 'buffered', buffered: 1 });
    sync.onDiff(diff(104, 104));
    sync.onDiff(diff(105, 108, 58001.03, 1.5));
    expect(sync.needsSnapshot).toBe(true);
    expect(sync.onSnapshot(snapshot)).toEqual({ kind: 'synced', applied: 1, dropped: 2 });
    expect(sync.lastAppliedId).toBe(108);
    expect(sync.book.bestBid()).toEqual([58001.03, 1.5]);
    expect(sync.onDiff(diff(109, 110))).toEqual({ kind: 'applied', lastUpdateId: 110 });
  });

  it('waits after the snapshot for the diff that brackets lastUpdateId + 1', () => {
    const sync = new BinanceDepthSync();
    sync.onSnapshot(snapshot);
    expect(sync.onDiff(diff(101, 104))).toEqual({ kind: 'stale', lastUpdateId: 104 });
    expect(sync.onDiff(diff(105, 107))).toEqual({ kind: 'applied', lastUpdateId: 107 });
  });

  it('reports a gap when the first diff after the snapshot starts past lastUpdateId + 1', () => {
    const sync = new BinanceDepthSync();
    sync.onDiff(diff(108, 110));
    expect(sync.onSnapshot(snapshot)).toEqual({ kind: 'gap', field: 'U', expected: 106, got: 108 });
    expect(sync.needsSnapshot).toBe(true);
  });

  it('reports a gap when U is not the previous u + 1, clears the book and resyncs from a newer snapshot', () => {
    const sync = new BinanceDepthSync();
    sync.onSnapshot(snapshot);
    sync.onDiff(diff(105, 107));
    expect(sync.onDiff(diff(110, 112))).toEqual({ kind: 'gap', field: 'U', expected: 108, got: 110 });
    expect(sync.needsSnapshot).toBe(true);
    expect(sync.book.bidCount).toBe(0);
    expect(sync.onDiff(diff(113, 115))).toEqual({ kind: 'buffered', buffered: 2 });
    expect(sync.onSnapshot({ ...snapshot, lastUpdateId: 111 })).toEqual({
      kind: 'synced',
      applied: 2,
      dropped: 0,
    });
    expect(sync.lastAppliedId).toBe(115);
  });

  it('keeps only the newest diffs when the buffer is full', () => {
    const sync = new BinanceDepthSync(2);
    sync.onDiff(diff(100, 101));
    sync.onDiff(diff(102, 103));
    expect(sync.onDiff(diff(104, 106))).toEqual({ kind: 'buffered', buffered: 2 });
    expect(sync.onSnapshot({ ...snapshot, lastUpdateId: 101 })).toEqual({
      kind: 'synced',
      applied: 2,
      dropped: 0,
    });
  });
});
