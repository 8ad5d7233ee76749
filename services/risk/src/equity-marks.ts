import {
  applyMarkedEquity,
  type BookTouch,
  bookTouch,
  equityValued,
  inMarket,
  type MarkedPosition,
  type Market,
  type MarketMarks,
  markedEquity,
  marketKey,
  markPrice,
  unrealisedPnl,
  updateMarks,
} from '@ballast/core';
import { DEFAULT_UNMARKED_GRACE_MS } from './config';
import type { EntryBooks } from './entry-books';
import { type RiskContext, RiskPart } from './risk-context';

/**
 * Equity marked to market (ADR 19): the equity at cost — what was read at start, moved by what each
 * position event realised and paid — plus every held position's unrealised result at the last touch of
 * its market's streamed book. The drawdown and daily-loss halts measure it, so a loss held open (a stop
 * skipped in a gap) halts entries as soon as it is quoted, not when it is sold.
 */
export class EquityMarks extends RiskPart {
  /** The equity with each open position counted at what it cost. */
  private atCost = 0;
  private marks: MarketMarks = new Map();
  /**
   * The markets held at start: until each is marked, the halts wait (core equityValued), since the
   * baseline stored before the restart may hold a gain open there that its cost would read as a loss.
   */
  private awaited: ReadonlySet<string> = new Set();
  /** When the halts stop waiting for the markets held at start (RISK_UNMARKED_GRACE_MS after it). */
  private awaitedUntil = Number.POSITIVE_INFINITY;

  constructor(
    ctx: RiskContext,
    private readonly books: EntryBooks,
  ) {
    super(ctx);
  }

  /**
   * Marks the markets of the venue's positions held at start from its REST depth: after a restart the
   * book consumer resumes on deltas, and no streamed book is trusted until market-data's next snapshot
   * (up to PLANNED_RECONNECT_MS), so the restart's equity would count the positions at cost. One read
   * per market, all at once; a market whose read fails is valued at entry until its book is quoted.
   */
  async markFromRest(held: readonly MarkedPosition[]): Promise<void> {
    const venue = this.deps.venue.id;
    const symbols = new Set(held.filter((p) => p.qty > 0 && p.exchange === venue).map((p) => p.symbol));
    await Promise.all(
      [...symbols].map(async (symbol) => {
        const rest = await this.books.restBook(symbol);
        if (rest.ok) this.marks = updateMarks(this.marks, { exchange: venue, symbol }, bookTouch(rest.book));
        else
          this.deps.log.warn({ symbol, reason: rest.reason }, 'held position valued at entry until quoted');
      }),
    );
  }

  /**
   * The equity at start: `atCost` (read with the open positions at cost) with the positions held then
   * marked at what markFromRest read. A peak or a day's start stored with a held gain in it is so not
   * read as a loss by the restart (a latched halt), nor a held loss forgotten. `valued` is false while
   * a position held has no mark (its read failed): the restart then measures no halt on it.
   */
  start(atCost: number, held: readonly MarkedPosition[]): { equity: number; valued: boolean } {
    this.atCost = atCost;
    this.awaited = new Set(held.filter((p) => p.qty > 0).map((p) => marketKey(p.exchange, p.symbol)));
    this.awaitedUntil = this.deps.clock.now() + this.graceMs();
    return {
      equity: markedEquity(atCost, held, this.marks),
      valued: equityValued(held, this.marks, this.awaited),
    };
  }

  /**
   * Reads the REST depth of each market held on this venue whose streamed book is not trusted, or which
   * has no mark: after a restart no streamed book is trusted until market-data's next snapshot (up to
   * PLANNED_RECONNECT_MS), and the equity the halts measure would stay at the start's marks meanwhile.
   * Resolves with the touches read, to be taken in (onTouch) by the caller; a market whose trusted
   * book came in during the read is left to it. A failed read is counted and tried again next time.
   */
  async readUntrusted(): Promise<Array<{ market: Market; touch: BookTouch }>> {
    const venue = this.deps.venue.id;
    const symbols = new Set(
      this.ctx.state.positions
        .filter((p) => p.exchange === venue && !(this.books.trusted(venue, p.symbol) && this.marked(p)))
        .map((p) => p.symbol),
    );
    const read = await Promise.all(
      [...symbols].map(async (symbol) => {
        const rest = await this.books.restBook(symbol);
        if (!rest.ok) {
          this.deps.restMarkFailed?.();
          this.deps.log.warn({ symbol, reason: rest.reason }, 'held position not marked from REST depth');
          return undefined;
        }
        if (this.books.trusted(venue, symbol)) return undefined;
        return { market: { exchange: venue, symbol }, touch: bookTouch(rest.book) };
      }),
    );
    return read.filter((r) => r !== undefined);
  }

  private marked(position: MarkedPosition): boolean {
    return (
      markPrice(position.side, this.marks.get(marketKey(position.exchange, position.symbol))) !== undefined
    );
  }

  /**
   * What `strategy`'s open positions on this venue would gain (negative: lose) closed at their marks;
   * one whose market has no mark yet counts at entry. The lifecycle review's live drawdown counts it.
   */
  openPnlOf(strategy: string): number {
    return this.ctx.state.positions
      .filter((p) => p.strategy === strategy && p.exchange === this.deps.venue.id)
      .reduce((sum, p) => sum + unrealisedPnl(p, this.marks), 0);
  }

  /** What a position event realised, less its fees (the ledger's change): marked with the event. */
  realise(change: number): void {
    this.atCost += change;
  }

  /**
   * A trusted book's touch becomes its market's mark; whether equity was marked again (a position is
   * held there and the mark moved). A side with no usable price keeps its last mark.
   */
  onTouch(market: Market, touch: BookTouch): boolean {
    const marks = updateMarks(this.marks, market, touch);
    if (marks === this.marks) return false;
    this.marks = marks;
    if (!this.ctx.state.positions.some(inMarket(market))) return false;
    this.mark();
    return true;
  }

  /**
   * The halts wait for the markets held at start no longer than RISK_UNMARKED_GRACE_MS: a market whose
   * REST depth keeps failing (halted, emptied) would otherwise keep every halt off while other positions
   * lose. Past it, the unmarked positions count at cost: a stored gain may then read as a loss and latch
   * a halt (an operator resumes), which is the side that cannot lose money. True when the wait ended now.
   */
  endWaitIfDue(): boolean {
    if (!this.waitDue()) return false;
    this.mark();
    return true;
  }

  private graceMs(): number {
    return this.deps.config.RISK_UNMARKED_GRACE_MS ?? DEFAULT_UNMARKED_GRACE_MS;
  }

  private waitDue(): boolean {
    return this.awaited.size > 0 && this.deps.clock.now() >= this.awaitedUntil;
  }

  /** Equity marked again now, on the positions held and the marks known (a position event changed either). */
  mark(): void {
    const { limits, clock } = this.deps;
    if (this.waitDue()) {
      this.deps.log.error?.(
        { markets: [...this.awaited], graceMs: this.graceMs() },
        'held markets still unmarked: the halts measure them at cost',
      );
      this.awaited = new Set();
    }
    this.ctx.state = applyMarkedEquity(
      this.ctx.state,
      this.atCost,
      this.marks,
      limits.current,
      clock.now(),
      this.awaited,
    );
  }
}
