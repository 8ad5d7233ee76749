import type { BookUpdate, Envelope } from '@ballast/contracts';
import {
  type BookTouch,
  bookTouch,
  DEFAULT_BOOK_MAX_AGE_MS,
  type EntryBook,
  isNoBook,
  marketKey,
  noRestBook,
  pricePending,
  StreamedBooks,
  streamedEntryBook,
} from '@ballast/core';
import { DEFAULT_REST_BOOK_TIMEOUT_MS } from './config';
import { readRestBook } from './rest-book';
import { RiskPart } from './risk-context';

/**
 * The books entries are sized against and reservations priced by: each venue's streamed books, or
 * the venue's public REST depth where the stream offers none to trust.
 */
export class EntryBooks extends RiskPart {
  /**
   * Each venue's streamed books, offered only while in sequence since a snapshot: after a restart the
   * book consumer resumes on deltas, which hold only the levels changed since. Until then the venue's
   * REST depth is read instead.
   */
  private readonly books = new Map<string, StreamedBooks>();

  /** Applies a streamed book; its touch while in sequence since a snapshot (what equity is marked at). */
  onBook(message: Envelope<BookUpdate>): BookTouch | undefined {
    const { exchange, symbol } = message.payload;
    const books = this.books.get(exchange) ?? new StreamedBooks();
    this.books.set(exchange, books);
    if (books.apply(message) === 'stale') {
      // Delivered again after newer ones (a redelivery, a publisher's retry): rare, so each is logged.
      const { kind, lastUpdateId } = message.payload;
      this.deps.log.warn(
        { exchange, symbol, kind, lastUpdateId },
        'book update older than the book: skipped',
      );
      return undefined;
    }
    // Priced only by a book in sequence.
    const touch = books.touch(symbol);
    if (touch && this.ctx.state.pending.length > 0)
      this.ctx.state = pricePending(this.ctx.state, { exchange, symbol, ...touch });
    return touch;
  }

  /**
   * Whether the market's streamed book is in sequence since a snapshot (it marks equity as it moves)
   * and its feed is live: through a reconnect or a resync the book held stays in sequence but stops
   * moving with the market, and the REST depth marks it meanwhile.
   */
  trusted(exchange: string, symbol: string): boolean {
    if (this.ctx.state.staleMarkets.includes(marketKey(exchange, symbol))) return false;
    return this.books.get(exchange)?.touch(symbol) !== undefined;
  }

  /**
   * The book an entry is sized against: the streamed one while it is in sequence since a snapshot and
   * fresh, with no I/O (the path of every entry while market-data streams); else the venue's public REST
   * depth, read within RISK_REST_BOOK_TIMEOUT_MS (after a restart the stream offers none until
   * market-data's next resync, up to PLANNED_RECONNECT_MS), which also prices the market's reservations
   * read back unpriced, so this entry counts them; when that read fails too, why there is neither.
   */
  async entryBook(exchange: string, symbol: string): Promise<EntryBook> {
    const { config, clock } = this.deps;
    const maxAgeMs = config.RISK_BOOK_MAX_AGE_MS ?? DEFAULT_BOOK_MAX_AGE_MS;
    const streamed = streamedEntryBook(this.books.get(exchange), symbol, clock.now(), maxAgeMs);
    if (!isNoBook(streamed)) return streamed;
    // Another venue's depth would size the entry against the wrong market.
    if (exchange !== this.deps.venue.id)
      return noRestBook(streamed, `risk reads the REST depth of ${this.deps.venue.id} only`);
    const rest = await this.restBook(symbol);
    if (!rest.ok) return noRestBook(streamed, rest.reason);
    this.deps.log.info({ exchange, symbol, streamed: streamed.none }, 'entry sized against the REST depth');
    this.ctx.state = pricePending(this.ctx.state, { exchange, symbol, ...bookTouch(rest.book) });
    return rest.book;
  }

  /**
   * Prices the reservations read back unpriced at start (orders recorded without a price: a market
   * order not sent yet) from the venue's REST depth: the stream offers no book in sequence until
   * market-data's next snapshot, and until priced they count their slot and market but no notional.
   * One read per market, all at once, before any signal is decided; a market whose read fails stays
   * unpriced until a trusted streamed book or an entry's REST read on it.
   */
  async priceFromRest(): Promise<void> {
    const venue = this.deps.venue.id;
    const symbols = new Set(
      this.ctx.state.pending.filter((p) => p.entry <= 0 && p.exchange === venue).map((p) => p.symbol),
    );
    await Promise.all(
      [...symbols].map(async (symbol) => {
        const rest = await this.restBook(symbol);
        if (rest.ok)
          this.ctx.state = pricePending(this.ctx.state, { exchange: venue, symbol, ...bookTouch(rest.book) });
        else this.deps.log.warn({ symbol, reason: rest.reason }, 'reservations left unpriced');
      }),
    );
  }

  /** The venue's public REST depth of `symbol`, given up after RISK_REST_BOOK_TIMEOUT_MS. */
  restBook(symbol: string) {
    const timeoutMs = this.deps.config.RISK_REST_BOOK_TIMEOUT_MS ?? DEFAULT_REST_BOOK_TIMEOUT_MS;
    return readRestBook(this.deps.venue, symbol, timeoutMs);
  }
}
