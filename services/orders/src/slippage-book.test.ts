import type { BookUpdate, Envelope } from '@ballast/contracts';
import { StreamedBooks, type WalkableBook, walkBook } from '@ballast/core';
import { readDataFile } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { SlippageBook } from './slippage-book';

// Recorded Binance BTCUSDT depth: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json.
const raw = JSON.parse(readDataFile('binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json')) as {
  lastUpdateId: number;
  bids: string[][];
  asks: string[][];
};
const levels = (xs: string[][]) => xs.map(([p, q]): [number, number] => [Number(p), Number(q)]);
const FULL: WalkableBook = { bids: levels(raw.bids), asks: levels(raw.asks) };
const top = (n: number): WalkableBook => ({ bids: FULL.bids.slice(0, n), asks: FULL.asks.slice(0, n) });
/** Base quantity resting on the first `n` ask levels. */
const asksQty = (n: number) => FULL.asks.slice(0, n).reduce((s, [, q]) => s + q, 0);

function snapshot(book: WalkableBook, emittedAt: number): Envelope<BookUpdate> {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    type: 'md.book',
    version: 1,
    eventTime: emittedAt,
    emittedAt,
    source: 'market-data',
    correlationId: 'c',
    causationId: null,
    payload: {
      exchange: 'binance',
      symbol: 'BTC-USDT',
      kind: 'snapshot',
      firstUpdateId: null,
      lastUpdateId: raw.lastUpdateId,
      bids: book.bids.map(([p, q]): [number, number] => [p, q]),
      asks: book.asks.map(([p, q]): [number, number] => [p, q]),
      time: emittedAt,
    },
  };
}

/** A venue whose REST book answers `limit` levels (its default 100), counting the calls. */
function restVenue() {
  const calls: Array<number | undefined> = [];
  return {
    calls,
    orderBook: async (_symbol: string, limit?: number) => {
      calls.push(limit);
      return top(limit ?? 100);
    },
  };
}

describe('SlippageBook', () => {
  const now = 1_617_500_000_000;
  const clock = { now: () => now };

  it('walks a fresh streamed book without asking the venue, with the same result as its REST book', async () => {
    const venue = restVenue();
    const streamed = new StreamedBooks();
    streamed.apply(snapshot(FULL, now - 500));
    const source = new SlippageBook({ venue, streamed, clock, maxAgeMs: 2_000 });
    const qty = asksQty(3);
    const { book, source: used } = await source.forOrder('BTC-USDT', 'buy', qty);
    expect(used).toBe('stream');
    expect(venue.calls).toEqual([]);
    expect(walkBook(book, 'buy', qty)).toEqual(walkBook(FULL, 'buy', qty));
  });

  it('asks the venue for a shallow book when the stream is stale, and for a deep one when that runs short', async () => {
    const venue = restVenue();
    const streamed = new StreamedBooks();
    streamed.apply(snapshot(FULL, now - 2_001));
    const source = new SlippageBook({ venue, streamed, clock, maxAgeMs: 2_000 });
    expect((await source.forOrder('BTC-USDT', 'buy', asksQty(3))).source).toBe('rest_shallow');
    expect(venue.calls).toEqual([100]);
    // More than the first 100 ask levels hold: the shallow walk runs short, the deep one does not.
    const deepQty = asksQty(150);
    const deep = await source.forOrder('BTC-USDT', 'buy', deepQty);
    expect(deep.source).toBe('rest_deep');
    expect(venue.calls).toEqual([100, 100, 1000]);
    expect(walkBook(deep.book, 'buy', deepQty).filledQty).toBeCloseTo(deepQty, 8);
  });

  it('does not trust a streamed book that cannot fill the order, nor a symbol never streamed', async () => {
    const venue = restVenue();
    const streamed = new StreamedBooks();
    streamed.apply(snapshot(top(2), now));
    const source = new SlippageBook({ venue, streamed, clock, maxAgeMs: 2_000 });
    expect((await source.forOrder('BTC-USDT', 'buy', asksQty(5))).source).toBe('rest_shallow');
    expect((await source.forOrder('ETH-USDT', 'sell', 0.01)).source).toBe('rest_shallow');
    expect(venue.calls).toEqual([100, 100]);
  });
});
