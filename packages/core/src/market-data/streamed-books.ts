import type { BookUpdate, Envelope } from '@ballast/contracts';
import type { WalkableBook } from '../execution/book-walk';
import { OrderBook } from './order-book';

/** The best price each side of a book; undefined on an empty side. */
/**
 * How old (by its emit time) a streamed book may be and still be trusted for an order or an entry's
 * size: the default of ORDERS_BOOK_MAX_AGE_MS and RISK_BOOK_MAX_AGE_MS. Older, the REST depth is read.
 */
export const DEFAULT_BOOK_MAX_AGE_MS = 2_000;

export type BookTouch = { bestBid: number | undefined; bestAsk: number | undefined };

/**
 * What became of one md.book message: applied, or skipped as `stale` (a delta, or a snapshot emitted
 * before the book's latest update, no newer than the last update id applied in sequence: delivered
 * again after newer ones, by a JetStream redelivery or a publisher's retry).
 */
export type StreamedBookOutcome = 'applied' | 'stale';

/**
 * One venue's books as market-data streams them (md.book snapshots and deltas), for a service that
 * follows them (orders, risk). A book is offered only while it is in sequence since its last snapshot:
 * a restart resumes the durable mid-stream onto an empty book, and market-data sends a snapshot only
 * when it resyncs (hours apart), so deltas alone would hold just the levels that changed since; a lost
 * delta leaves levels wrong. For the slippage check it must also have been touched recently: by the
 * emitting service's publish time, so a backlog replayed after a restart is not taken as live.
 */
export class StreamedBooks {
  private readonly books = new Map<string, OrderBook>();
  private readonly touchedAt = new Map<string, number>();
  /** The last update id applied in sequence since a snapshot; absent while out of sequence. */
  private readonly inSequence = new Map<string, number>();

  apply(message: Pick<Envelope<BookUpdate>, 'payload' | 'emittedAt'>): StreamedBookOutcome {
    const u = message.payload;
    if (this.isStale(message)) return 'stale';
    let book = this.books.get(u.symbol);
    if (!book) {
      book = new OrderBook();
      this.books.set(u.symbol, book);
    }
    if (u.kind === 'snapshot') {
      book.applySnapshot(u.bids, u.asks);
      this.inSequence.set(u.symbol, u.lastUpdateId);
    } else {
      book.applyDelta(u.bids, u.asks);
      const last = this.inSequence.get(u.symbol);
      // A delta may overlap what was applied (Binance's first diff after a snapshot) but not skip ids.
      if (last !== undefined && (u.firstUpdateId === null || u.firstUpdateId <= last + 1))
        this.inSequence.set(u.symbol, Math.max(last, u.lastUpdateId));
      else this.inSequence.delete(u.symbol);
    }
    this.touchedAt.set(u.symbol, Math.max(this.touchedAt.get(u.symbol) ?? 0, message.emittedAt));
    return 'applied';
  }

  /**
   * An update the book in sequence already holds: levels carry absolute sizes, so applying an old delta
   * again would put back levels a later one changed or removed, in a book still offered as trusted. A
   * snapshot is stale only when also emitted before the book's latest update: Bybit sends a fresh one with
   * u = 1 after its service restarts, and that one resets the book.
   */
  private isStale(message: Pick<Envelope<BookUpdate>, 'payload' | 'emittedAt'>): boolean {
    const u = message.payload;
    const last = this.inSequence.get(u.symbol);
    if (last === undefined || u.lastUpdateId > last) return false;
    return u.kind === 'delta' || message.emittedAt < (this.touchedAt.get(u.symbol) ?? 0);
  }

  /** Every level of a symbol's book if it is in sequence since a snapshot (the paper broker fills against it). */
  levels(symbol: string): WalkableBook | undefined {
    return this.trusted(symbol)?.levels();
  }

  /** The best bid and ask of a symbol's book if it is in sequence since a snapshot. */
  touch(symbol: string): BookTouch | undefined {
    const book = this.trusted(symbol);
    if (!book) return undefined;
    return { bestBid: book.bestBid()?.[0], bestAsk: book.bestAsk()?.[0] };
  }

  /** Every level of a symbol's book if it is in sequence and was updated within `maxAgeMs` of `now`. */
  fresh(symbol: string, now: number, maxAgeMs: number): WalkableBook | undefined {
    const at = this.touchedAt.get(symbol);
    if (at === undefined || now - at > maxAgeMs) return undefined;
    return this.levels(symbol);
  }

  private trusted(symbol: string): OrderBook | undefined {
    return this.inSequence.has(symbol) ? this.books.get(symbol) : undefined;
  }
}
