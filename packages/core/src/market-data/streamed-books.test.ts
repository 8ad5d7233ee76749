import type { BookUpdate } from '@ballast/contracts';
import { recordedDepthSnapshot } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import type { WalkableBook } from '../execution/book-walk';
import { StreamedBooks } from './streamed-books';

// Recorded Binance BTCUSDT depth: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json.
const recorded = recordedDepthSnapshot('BTCUSDT', 0);
const FULL: WalkableBook = { bids: recorded.bids, asks: recorded.asks };
const top = (n: number): WalkableBook => ({ bids: FULL.bids.slice(0, n), asks: FULL.asks.slice(0, n) });
const id = recorded.lastUpdateId;
const now = 1_617_500_000_000;

const levels = (xs: WalkableBook['bids']) => xs.map(([p, q]): [number, number] => [p, q]);

/** The snapshot market-data publishes of `book`, emitted at `emittedAt`. */
function snapshot(book: WalkableBook, emittedAt = now): { payload: BookUpdate; emittedAt: number } {
  return {
    payload: { ...recorded, bids: levels(book.bids), asks: levels(book.asks), time: emittedAt },
    emittedAt,
  };
}

/** A Binance diff with update ids `first`..`last` carrying `book`'s levels. */
function diff(first: number, last: number, book: WalkableBook, emittedAt = now) {
  const m = snapshot(book, emittedAt);
  return {
    ...m,
    payload: { ...m.payload, kind: 'delta' as const, firstUpdateId: first, lastUpdateId: last },
  };
}

const EMPTY: WalkableBook = { bids: [], asks: [] };

describe('StreamedBooks', () => {
  it('offers no book built from deltas alone (a restart resumed mid-stream), until a snapshot', () => {
    const streamed = new StreamedBooks();
    // After a restart the durable resumes on deltas: they hold only the levels that changed.
    streamed.apply(diff(id + 1, id + 2, top(2)));
    streamed.apply(diff(id + 3, id + 4, { bids: [], asks: FULL.asks.slice(5, 6) }));
    expect(streamed.levels('BTC-USDT')).toBeUndefined();
    expect(streamed.touch('BTC-USDT')).toBeUndefined();
    streamed.apply(snapshot(FULL));
    expect(streamed.levels('BTC-USDT')).toEqual(FULL);
    expect(streamed.touch('BTC-USDT')).toEqual({ bestBid: FULL.bids[0]?.[0], bestAsk: FULL.asks[0]?.[0] });
  });

  it('offers none after a skipped delta, until the next snapshot', () => {
    const streamed = new StreamedBooks();
    streamed.apply(snapshot(FULL));
    const [, second] = FULL.asks;
    if (!second) throw new Error('recorded book has too few asks');
    // Binance's first diff after a snapshot overlaps it.
    streamed.apply(diff(id - 3, id + 2, { bids: [], asks: [[second[0], 0]] }));
    expect(streamed.levels('BTC-USDT')?.asks).toEqual([FULL.asks[0], ...FULL.asks.slice(2)]);
    streamed.apply(diff(id + 4, id + 5, EMPTY));
    expect(streamed.levels('BTC-USDT')).toBeUndefined();
    expect(streamed.touch('BTC-USDT')).toBeUndefined();
    streamed.apply(snapshot(FULL));
    expect(streamed.levels('BTC-USDT')).toEqual(FULL);
  });

  it('offers a fresh book only in sequence and updated within the age asked', () => {
    const streamed = new StreamedBooks();
    streamed.apply(diff(id + 1, id + 2, EMPTY));
    expect(streamed.fresh('BTC-USDT', now, 2_000)).toBeUndefined();
    streamed.apply(snapshot(FULL));
    streamed.apply(diff(id - 3, id + 2, EMPTY));
    expect(streamed.fresh('BTC-USDT', now, 2_000)).toBeDefined();
    streamed.apply(diff(id + 4, id + 5, EMPTY));
    expect(streamed.fresh('BTC-USDT', now, 2_000)).toBeUndefined();
    streamed.apply(snapshot(FULL));
    expect(streamed.fresh('BTC-USDT', now, 2_000)?.asks).toEqual(FULL.asks);
  });

  it('applies deltas on the snapshot and dates the book by the latest update', () => {
    const streamed = new StreamedBooks();
    streamed.apply(snapshot(top(3), now - 10_000));
    const [bestAsk] = FULL.asks;
    if (!bestAsk) throw new Error('recorded book has no asks');
    streamed.apply(diff(id + 1, id + 1, { bids: [], asks: [[bestAsk[0], 0]] }, now - 100));
    expect(streamed.fresh('BTC-USDT', now, 2_000)?.asks).toEqual(FULL.asks.slice(1, 3));
    expect(streamed.fresh('BTC-USDT', now + 2_000, 2_000)).toBeUndefined();
  });

  it('keeps each symbol apart: a gap on one leaves the other offered', () => {
    const streamed = new StreamedBooks();
    streamed.apply(snapshot(FULL));
    const eth = snapshot(top(2));
    streamed.apply({ ...eth, payload: { ...eth.payload, symbol: 'ETH-USDT' } });
    streamed.apply(diff(id + 7, id + 8, EMPTY));
    expect(streamed.levels('BTC-USDT')).toBeUndefined();
    expect(streamed.levels('ETH-USDT')).toEqual(top(2));
  });

  it('skips a delta delivered again after a newer one: a level that one removed is not put back', () => {
    const streamed = new StreamedBooks();
    const [best, second] = FULL.asks;
    if (!best || !second) throw new Error('recorded book has too few asks');
    const inside = FULL.bids[0] ? (FULL.bids[0][0] + best[0]) / 2 : best[0];
    const after = (n: number) => ({ bids: [], asks: [[inside, n]] as [number, number][] });
    streamed.apply(snapshot(FULL, now));
    expect(streamed.apply(diff(id + 1, id + 1, after(5), now + 1))).toBe('applied'); // an ask inside the spread
    expect(streamed.apply(diff(id + 2, id + 2, after(0), now + 2))).toBe('applied'); // taken
    const again = streamed.apply(diff(id + 1, id + 1, after(5), now + 1)); // the first again
    expect(streamed.touch('BTC-USDT')?.bestAsk).toBe(best[0]);
    expect(streamed.levels('BTC-USDT')?.asks).toEqual(FULL.asks);
    expect(again).toBe('stale');
    // Still in sequence: the next delta applies.
    expect(streamed.apply(diff(id + 3, id + 3, { bids: [], asks: [[second[0], 0]] }, now + 3))).toBe(
      'applied',
    );
    expect(streamed.levels('BTC-USDT')?.asks).toEqual([best, ...FULL.asks.slice(2)]);
  });

  it('skips a snapshot delivered again after newer deltas, and takes one a venue restart numbers from 1', () => {
    const streamed = new StreamedBooks();
    const old = snapshot(top(3), now);
    const [best] = FULL.asks;
    if (!best) throw new Error('recorded book has no asks');
    streamed.apply(old);
    streamed.apply(diff(id + 1, id + 1, { bids: [], asks: [[best[0], 0]] }, now + 1)); // the best ask taken
    const again = streamed.apply(old);
    expect(streamed.levels('BTC-USDT')?.asks).toEqual(FULL.asks.slice(1, 3));
    expect(again).toBe('stale');
    expect(streamed.apply(snapshot(top(3), now + 1))).toBe('applied'); // as new as the book: taken
    // Bybit re-sends a snapshot with u = 1 after its service restarts: a new book, emitted later.
    const restarted = snapshot(top(2), now + 5);
    expect(streamed.apply({ ...restarted, payload: { ...restarted.payload, lastUpdateId: 1 } })).toBe(
      'applied',
    );
    expect(streamed.levels('BTC-USDT')).toEqual(top(2));
  });
});
