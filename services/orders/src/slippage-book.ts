import type { Clock, OrderSide } from '@ballast/contracts';
import { bookTouch, type StreamedBooks, type WalkableBook, walkBook } from '@ballast/core';
import type { OrderVenue } from '@ballast/exchange';

/** Levels a first REST look asks for: Binance's default depth, one request weight. */
const SHALLOW_LEVELS = 100;
/** The deep look when the shallow book cannot fill the order: Binance's 1,000-level snapshot. */
const DEEP_LEVELS = 1000;

export type BookSource = 'stream' | 'rest_shallow' | 'rest_deep';

export interface SlippageBookDeps {
  venue: Pick<OrderVenue, 'orderBook'>;
  /** The streamed md.book of this venue; none when the venue's own book is the stream (paper). */
  streamed?: StreamedBooks;
  clock: Clock;
  /** A streamed book untouched for longer than this is not trusted for the check. */
  maxAgeMs: number;
}

/**
 * The book an order's slippage check walks, cheapest first: the streamed book when fresh, else a
 * shallow REST snapshot, else a deep one. A cheaper book is used only when it holds the whole order:
 * the walk then reads the same top levels the deeper book would show.
 */
export class SlippageBook {
  constructor(private readonly deps: SlippageBookDeps) {}

  /**
   * The best price an order of `side` trades at on the fresh streamed book, if there is one: read
   * from memory, never from the venue.
   */
  streamedTouch(symbol: string, side: OrderSide): number | undefined {
    const { streamed, clock, maxAgeMs } = this.deps;
    const stream = streamed?.fresh(symbol, clock.now(), maxAgeMs);
    if (!stream) return undefined;
    const touch = bookTouch(stream);
    return side === 'sell' ? touch.bestBid : touch.bestAsk;
  }

  async forOrder(
    symbol: string,
    side: OrderSide,
    qty: number,
  ): Promise<{ book: WalkableBook; source: BookSource }> {
    const { streamed, clock, maxAgeMs, venue } = this.deps;
    const stream = streamed?.fresh(symbol, clock.now(), maxAgeMs);
    if (stream && holds(stream, side, qty)) return { book: stream, source: 'stream' };
    const shallow = await venue.orderBook(symbol, SHALLOW_LEVELS);
    if (holds(shallow, side, qty)) return { book: shallow, source: 'rest_shallow' };
    return { book: await venue.orderBook(symbol, DEEP_LEVELS), source: 'rest_deep' };
  }
}

function holds(book: WalkableBook, side: OrderSide, qty: number): boolean {
  return walkBook(book, side, qty).filledQty >= qty * (1 - 1e-9);
}
