import type { BookUpdate } from '@ballast/contracts';
import { BinanceDepthSync, BybitDepthSync, type DepthSyncOutcome } from '@ballast/core';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { mapBinanceDepthSnapshot } from './binance-depth-snapshot';
import { binanceSpotFeed } from './binance-spot-feed';
import { bybitLinearFeed } from './bybit-linear-feed';
import type { FrameResult } from './frame-result';
import {
  BINANCE_FRAMES,
  BYBIT_FRAMES,
  BYBIT_XRP_OB500,
  binanceRestDepth,
  recordedLines,
} from './recorded-frames';

// Reads binance-spot-ws/2021-04-04_*.frames.jsonl.gz with its rest_depth_*_limit1000.json snapshots,
// and bybit-v5-ws/2024-12-01_linear_XRPUSDT_orderbook500.frames.jsonl and 2026-08-09_linear_*.frames.jsonl.

interface BookFrame {
  payload: BookUpdate;
  sequence: number | null;
}

const books = (results: FrameResult[]): BookFrame[] =>
  results.flatMap((r) => (r.kind === 'book' ? [{ payload: r.payload, sequence: r.sequence }] : []));

const binanceDiffs = (() => {
  const feed = binanceSpotFeed();
  return books(recordedLines(BINANCE_FRAMES).flatMap((f) => feed.parseFrame(f))).map((b) => b.payload);
})();

function restSnapshot(venueSymbol: string, symbol: string): BookUpdate {
  const result = mapBinanceDepthSnapshot(JSON.parse(readDataFile(binanceRestDepth(venueSymbol))), symbol, 0);
  if (result.kind !== 'book')
    throw new Error(`snapshot ${venueSymbol} did not map: ${JSON.stringify(result)}`);
  return result.payload;
}

/** The README's facts: snapshot taken after N of the symbol's diffs; the diff at `bracket` spans it. */
const BINANCE_CASES = [
  { venue: 'BTCUSDT', symbol: 'BTC-USDT', takenAfter: 2, bracket: 10 },
  { venue: 'ETHUSDT', symbol: 'ETH-USDT', takenAfter: 3, bracket: 13 },
  { venue: 'DOTUSDT', symbol: 'DOT-USDT', takenAfter: 1, bracket: 9 },
];

/** Feeds diffs, delivering `snapshot` after the first `takenAfter` of them; returns each diff's outcome. */
function replayBinance(
  diffs: BookUpdate[],
  snapshot: BookUpdate,
  takenAfter: number,
  sync = new BinanceDepthSync(),
) {
  const outcomes: DepthSyncOutcome[] = [];
  diffs.forEach((diff, i) => {
    if (i === takenAfter) sync.onSnapshot(snapshot);
    outcomes.push(sync.onDiff(diff));
  });
  return { sync, outcomes };
}

describe('BinanceDepthSync on the recorded Binance diff stream', () => {
  describe.each(BINANCE_CASES)('$symbol', ({ venue, symbol, takenAfter, bracket }) => {
    const diffs = binanceDiffs.filter((d) => d.symbol === symbol);
    const snapshot = restSnapshot(venue, symbol);

    it('syncs at the bracketing diff and applies every later diff without a gap', () => {
      const { sync, outcomes } = replayBinance(diffs, snapshot, takenAfter);
      const kinds = outcomes.map((o) => o.kind);
      expect(kinds.slice(0, takenAfter).every((k) => k === 'buffered')).toBe(true);
      expect(kinds.slice(takenAfter, bracket).every((k) => k === 'stale')).toBe(true);
      expect(kinds.slice(bracket).every((k) => k === 'applied')).toBe(true);
      expect(sync.lastAppliedId).toBe(diffs.at(-1)?.lastUpdateId);
      expect(sync.book.bestBid()?.[0]).toBeLessThan(sync.book.bestAsk()?.[0] ?? 0);
    });

    it('replays a buffer that already holds the bracketing diff when the snapshot comes late', () => {
      const sync = new BinanceDepthSync();
      for (const diff of diffs.slice(0, bracket + 5)) sync.onDiff(diff);
      expect(sync.onSnapshot(snapshot)).toEqual({ kind: 'synced', applied: 5, dropped: bracket });
    });

    it('detects a removed diff as a gap, then resyncs from a newer snapshot to the same book', () => {
      const reference = replayBinance(diffs, snapshot, takenAfter).sync;
      const removed = bracket + 20;
      const holed = diffs.filter((_, i) => i !== removed);
      const sync = new BinanceDepthSync();
      const { outcomes } = replayBinance(holed.slice(0, removed + 5), snapshot, takenAfter, sync);
      expect(outcomes[removed]).toEqual({
        kind: 'gap',
        field: 'U',
        expected: (diffs[removed - 1] as BookUpdate).lastUpdateId + 1,
        got: (diffs[removed + 1] as BookUpdate).firstUpdateId,
      });
      expect(sync.needsSnapshot).toBe(true);
      expect(outcomes.slice(removed + 1).every((o) => o.kind === 'buffered')).toBe(true);

      // A fresh snapshot, as REST would return it now: the clean book as of diff removed + 3.
      const fresh = replayBinance(diffs.slice(0, removed + 4), snapshot, takenAfter).sync;
      const resync = sync.onSnapshot({ lastUpdateId: fresh.lastAppliedId, ...fresh.book.levels() });
      expect(resync).toEqual({ kind: 'synced', applied: 2, dropped: 3 });
      for (const diff of holed.slice(removed + 5)) expect(sync.onDiff(diff).kind).toBe('applied');
      expect(sync.book.levels()).toEqual(reference.book.levels());
    });

    it('rejects a stale snapshot after a gap: the first buffered diff starts past it', () => {
      const sync = new BinanceDepthSync();
      const holed = diffs.filter((_, i) => i !== bracket + 20);
      replayBinance(holed.slice(0, bracket + 25), snapshot, takenAfter, sync);
      expect(sync.onSnapshot(snapshot)).toMatchObject({ kind: 'gap', field: 'U' });
      expect(sync.needsSnapshot).toBe(true);
    });
  });
});

function bybitBooks(path: string, topicSymbol: string): BookFrame[] {
  const feed = bybitLinearFeed();
  return books(recordedLines(path).flatMap((f) => feed.parseFrame(f))).filter(
    (b) => b.payload.symbol === topicSymbol,
  );
}

const asBybitEvent = (b: BookFrame) => ({
  kind: b.payload.kind,
  lastUpdateId: b.payload.lastUpdateId,
  seq: b.sequence,
  bids: b.payload.bids,
  asks: b.payload.asks,
});

describe('BybitDepthSync on the recorded Bybit order books', () => {
  const xrp = bybitBooks(BYBIT_XRP_OB500, 'XRP-USDT');

  it('applies the XRPUSDT orderbook.500 snapshot and all 49 deltas without a gap', () => {
    expect(xrp.map((b) => b.payload.kind)).toEqual(['snapshot', ...Array(49).fill('delta')]);
    const sync = new BybitDepthSync();
    expect(xrp.map((b) => sync.onUpdate(asBybitEvent(b)).kind)).toEqual(Array(50).fill('applied'));
  });

  it.each(['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'DOGE-USDT'])(
    'applies every %s orderbook.200 update without a gap',
    (symbol) => {
      const frames = bybitBooks(BYBIT_FRAMES, symbol);
      const sync = new BybitDepthSync();
      const kinds = new Set(frames.map((b) => sync.onUpdate(asBybitEvent(b)).kind));
      expect(kinds).toEqual(new Set(['applied']));
      expect(frames.length).toBeGreaterThan(100);
    },
  );

  it('detects a removed XRPUSDT delta as a gap and resyncs from a fresh snapshot to the same book', () => {
    const reference = new BybitDepthSync();
    for (const b of xrp) reference.onUpdate(asBybitEvent(b));

    const removed = 20;
    const sync = new BybitDepthSync();
    const outcomes = xrp
      .filter((_, i) => i !== removed)
      .slice(0, 30)
      .map((b) => sync.onUpdate(asBybitEvent(b)));
    expect(outcomes[removed]).toEqual({
      kind: 'gap',
      field: 'u',
      expected: (xrp[removed - 1] as BookFrame).payload.lastUpdateId + 1,
      got: (xrp[removed + 1] as BookFrame).payload.lastUpdateId,
    });
    expect(outcomes.slice(removed + 1).every((o) => o.kind === 'awaiting_snapshot')).toBe(true);

    // What re-subscribing yields: a snapshot of the clean book as of delta 30.
    const fresh = new BybitDepthSync();
    for (const b of xrp.slice(0, 31)) fresh.onUpdate(asBybitEvent(b));
    const at = xrp[30] as BookFrame;
    sync.onUpdate({
      kind: 'snapshot',
      lastUpdateId: at.payload.lastUpdateId,
      seq: at.sequence,
      ...fresh.book.levels(),
    });
    for (const b of xrp.slice(31)) expect(sync.onUpdate(asBybitEvent(b)).kind).toBe('applied');
    expect(sync.book.levels()).toEqual(reference.book.levels());
  });

  it('detects two swapped XRPUSDT deltas as a gap', () => {
    const swapped = [...xrp];
    [swapped[10], swapped[11]] = [xrp[11] as BookFrame, xrp[10] as BookFrame];
    const sync = new BybitDepthSync();
    const outcomes = swapped.slice(0, 12).map((b) => sync.onUpdate(asBybitEvent(b)));
    expect(outcomes[10]).toMatchObject({ kind: 'gap', field: 'u' });
  });
});
