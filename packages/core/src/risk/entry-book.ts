import type { BookLevel } from '@ballast/contracts';
import type { WalkableBook } from '../execution/book-walk';
import type { BookTouch, StreamedBooks } from '../market-data/streamed-books';
import type { BookDepth } from './liquidity';

/** Why an entry has no book to size against; its `liquidity` denial says it. */
export type NoBook = { none: string };

/** What an entry is sized against: the market's visible depth, or why there is none. */
export type EntryBook = BookDepth | NoBook;

export function isNoBook(book: EntryBook): book is NoBook {
  return 'none' in book;
}

/**
 * The streamed book an entry may be sized against: in sequence since a snapshot (after a restart the
 * book consumer resumes on deltas, which hold only the levels changed since, and market-data sends a
 * snapshot only when it resyncs; a lost delta leaves levels wrong) and updated within `maxAgeMs` of
 * `now` by its emit time (a backlog replayed after a restart is not the market now). Otherwise why not:
 * the caller reads the venue's REST depth instead.
 */
export function streamedEntryBook(
  books: StreamedBooks | undefined,
  symbol: string,
  now: number,
  maxAgeMs: number,
): EntryBook {
  if (!books?.levels(symbol)) return { none: 'streamed: none in sequence since a snapshot' };
  const fresh = books.fresh(symbol, now, maxAgeMs);
  if (!fresh) return { none: `streamed: none updated within ${maxAgeMs} ms` };
  return bookDepth(fresh);
}

/** No book at all: the stream's could not be used and the venue's REST depth could not be read. */
export function noRestBook(streamed: NoBook, reason: string): NoBook {
  return { none: `${streamed.none}; REST depth read failed: ${reason}` };
}

/** A walkable book's levels as the liquidity rule reads them. */
export function bookDepth(book: WalkableBook): BookDepth {
  const copy = (xs: WalkableBook['bids']) => xs.map(([p, q]): BookLevel => [p, q]);
  return { bids: copy(book.bids), asks: copy(book.asks) };
}

/** The best bid and ask of a book (undefined on an empty side), to price reservations read back unpriced. */
export function bookTouch(book: WalkableBook): BookTouch {
  const best = (xs: WalkableBook['bids'], pick: (...v: number[]) => number) => {
    const prices = xs.filter(([, q]) => q > 0).map(([p]) => p);
    return prices.length > 0 ? pick(...prices) : undefined;
  };
  return { bestBid: best(book.bids, Math.max), bestAsk: best(book.asks, Math.min) };
}
