import type { BookUpdate } from '@ballast/contracts';
import { recordedDepthSnapshot } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { StreamedBooks } from '../market-data/streamed-books';
import { bookTouch, noRestBook, streamedEntryBook } from './entry-book';

// Recorded Binance BTCUSDT depth: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json.
const recorded = recordedDepthSnapshot('BTCUSDT', 0);
const now = 1_617_500_000_000;
const MAX_AGE_MS = 2_000;

const snapshot = (emittedAt: number) => ({ payload: { ...recorded, time: emittedAt }, emittedAt });
const delta = (emittedAt: number): { payload: BookUpdate; emittedAt: number } => ({
  payload: {
    ...recorded,
    kind: 'delta',
    firstUpdateId: recorded.lastUpdateId + 50,
    lastUpdateId: recorded.lastUpdateId + 51,
    bids: [],
    asks: [[58_050, 0.1]],
    time: emittedAt,
  },
  emittedAt,
});

const streamed = (...messages: Array<{ payload: BookUpdate; emittedAt: number }>) => {
  const books = new StreamedBooks();
  for (const m of messages) books.apply(m);
  return books;
};

describe('streamedEntryBook', () => {
  it('gives the streamed book in sequence since a snapshot and updated within the bound', () => {
    expect(streamedEntryBook(streamed(snapshot(now - MAX_AGE_MS)), 'BTC-USDT', now, MAX_AGE_MS)).toEqual({
      bids: recorded.bids,
      asks: recorded.asks,
    });
  });

  it('says there is none in sequence when nothing was streamed, or deltas alone (a restart resumed mid-stream)', () => {
    const none = { none: 'streamed: none in sequence since a snapshot' };
    expect(streamedEntryBook(undefined, 'BTC-USDT', now, MAX_AGE_MS)).toEqual(none);
    expect(streamedEntryBook(streamed(delta(now)), 'BTC-USDT', now, MAX_AGE_MS)).toEqual(none);
    expect(streamedEntryBook(streamed(snapshot(now)), 'ETH-USDT', now, MAX_AGE_MS)).toEqual(none);
  });

  it('says the streamed book is too old when its last update was emitted before the bound', () => {
    expect(streamedEntryBook(streamed(snapshot(now - MAX_AGE_MS - 1)), 'BTC-USDT', now, MAX_AGE_MS)).toEqual({
      none: 'streamed: none updated within 2000 ms',
    });
  });
});

describe('noRestBook', () => {
  it('names why the stream could not be used and why the REST depth could not be read', () => {
    expect(
      noRestBook({ none: 'streamed: none in sequence since a snapshot' }, 'no answer within 5000 ms'),
    ).toEqual({
      none: 'streamed: none in sequence since a snapshot; REST depth read failed: no answer within 5000 ms',
    });
  });
});

describe('bookTouch', () => {
  it('gives the best bid and ask whatever the order of the levels, undefined on an empty side', () => {
    const book = { bids: [...recorded.bids].reverse(), asks: [...recorded.asks].reverse() };
    expect(bookTouch(book)).toEqual({ bestBid: recorded.bids[0]![0], bestAsk: 58_001.04 });
    expect(bookTouch({ bids: [], asks: [[58_050, 0]] })).toEqual({ bestBid: undefined, bestAsk: undefined });
  });
});
