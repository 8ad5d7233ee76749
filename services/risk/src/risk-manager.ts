import type { Subscription } from '@ballast/bus';
import {
  type BookUpdate,
  type Envelope,
  type PositionEvent,
  pattern,
  type Subject,
  type SubjectPattern,
  Subjects,
  subject,
} from '@ballast/contracts';
import { derivedUuid, LossStreakTracker, openLongsCost, type RiskState } from '@ballast/core';
import { ClosedTrades } from './closed-trades';
import { DEFAULT_REST_MARK_INTERVAL_MS, requiresRecon } from './config';
import { EntryBooks } from './entry-books';
import { EntryDecisions } from './entry-decisions';
import { EquityMarks } from './equity-marks';
import { Halts } from './halts';
import { KillSwitch } from './kill-switch';
import { MarketFeeds } from './market-feeds';
import { ownHeld, type RiskConsumer, riskDurable } from './own-venue';
import { PositionStops } from './position-stops';
import { Positions } from './positions';
import { RiskContext, type RiskManagerDeps } from './risk-context';
import { type RiskFigures, riskFigures } from './risk-figures';
import { StoredDecisions } from './stored-decisions';
import { VenueReconciliation } from './venue-reconciliation';

export type { RiskManagerDeps } from './risk-context';

/**
 * A thin fold: bus events → core reducers → RiskState; decisions come from core's decideEntry. Each
 * concept is a part (risk-context.ts) sharing the one state; this wires them to the bus.
 */
export class RiskManager {
  private readonly subs: Subscription[] = [];
  private readonly ctx: RiskContext;
  private readonly trades: ClosedTrades;
  private readonly stops: PositionStops;
  private readonly equity: EquityMarks;
  private readonly positions: Positions;
  private readonly halts: Halts;
  private readonly kill: KillSwitch;
  private readonly feeds: MarketFeeds;
  private readonly recon: VenueReconciliation;
  private readonly books: EntryBooks;
  private readonly decided: StoredDecisions;
  private readonly entries: EntryDecisions;
  /** The timer of the REST marks of held markets without a trusted book, and the round under way. */
  private restMarks: NodeJS.Timeout | undefined;
  private restMarking: Promise<void> | undefined;

  constructor(private readonly deps: RiskManagerDeps) {
    this.ctx = new RiskContext(deps);
    this.trades = new ClosedTrades(this.ctx);
    this.stops = new PositionStops(this.ctx);
    this.books = new EntryBooks(this.ctx);
    this.equity = new EquityMarks(this.ctx, this.books);
    this.positions = new Positions(this.ctx, this.stops, this.trades, this.equity);
    this.halts = new Halts(this.ctx, this.trades);
    this.kill = new KillSwitch(this.ctx, this.halts);
    this.feeds = new MarketFeeds(this.ctx);
    this.recon = new VenueReconciliation(this.ctx);
    this.decided = new StoredDecisions(this.ctx);
    this.entries = new EntryDecisions(this.ctx, this.books, this.recon, this.stops, this.decided);
  }

  get current(): RiskState {
    return this.ctx.state;
  }

  /** What `strategy`'s open positions on this venue would gain (negative: lose) at their marks; 0 until started. */
  openPnl(strategy: string): number {
    return this.ctx.state ? this.equity.openPnlOf(strategy) : 0;
  }

  /** What the metrics export; undefined until started. */
  figures(): RiskFigures | undefined {
    if (!this.ctx.state) return undefined;
    return riskFigures(this.ctx.state, this.deps.limits.current, this.trades.results, this.deps.clock.now());
  }

  async start(): Promise<void> {
    const now = this.deps.clock.now();
    // Another trading account's trades and positions are its own risk's: they move none of this
    // account's equity, loss streak, slots or exposure.
    const venue = this.deps.venue.id;
    const history = (await this.deps.trades.all()).filter((t) => t.exchange === venue);
    const held = ownHeld(await this.deps.held(), venue);
    this.trades.load(history, held.slots);
    await this.equity.markFromRest(held.slots);
    await this.halts.restore(now, openLongsCost(held.slots, this.deps.venue.id), (atCost) =>
      this.equity.start(atCost, held.slots),
    );
    await this.kill.load(now);
    this.ctx.state = { ...this.ctx.state, lossStreak: LossStreakTracker.fromHistory(history).state };
    await this.decided.load(now);
    this.positions.load(held);
    this.entries.reserveAtStart(held.entryOrders, now);
    await this.feeds.restore();
    await this.books.priceFromRest();
    await this.subscribe();
    const every = this.deps.config.RISK_REST_MARK_INTERVAL_MS ?? DEFAULT_REST_MARK_INTERVAL_MS;
    if (every > 0) {
      // One round at a time: a venue slower than the interval is not asked again meanwhile.
      this.restMarks = setInterval(() => {
        this.restMarking ??= this.markUntrusted()
          .catch((err: unknown) => this.deps.log.error?.({ err }, 'REST marks failed'))
          .finally(() => {
            this.restMarking = undefined;
          });
      }, every);
      this.restMarks.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.restMarks);
    await this.restMarking;
    // A kill or resume still waiting for its write gives up first: its message is delivered again.
    await this.kill.stop();
    for (const s of this.subs) await s.stop();
  }

  /**
   * One risk per trading account, several on one bus: every durable is named by the venue, so each
   * risk gets every message (a kill, a resume, a position) rather than a share of them, as two
   * processes on one durable would. Book, status and recon subjects carry the exchange and are
   * filtered by the server; the rest are judged by `own`.
   */
  private async subscribe(): Promise<void> {
    const { bus, venue } = this.deps;
    const exchange = { exchange: venue.id };
    const opts = (what: string) => ({ durable: riskDurable(venue.id, what) });
    this.subs.push(
      await bus.subscribe(subject(Subjects.kill, {}), (m) => this.kill.onKill(m), opts('kill')),
      await bus.subscribe(subject(Subjects.resume, {}), (m) => this.kill.onResume(m), opts('resume')),
      await this.own(
        pattern(Subjects.feedStatus, exchange),
        'status',
        (p) => p.exchange,
        (m) => this.feeds.onStatus(m),
      ),
      await this.own(
        pattern(Subjects.book, exchange),
        'book',
        (p) => p.exchange,
        (m) => this.onBook(m),
      ),
      await this.own(
        subject(Subjects.positionEvent, {}),
        'position',
        (p) => p.exchange,
        (m) => this.onPosition(m),
      ),
      await this.own(
        subject(Subjects.stopEvent, {}),
        'stop',
        (p) => p.exchange,
        (m) => this.stops.onStop(m.payload),
      ),
      await this.own(
        subject(Subjects.orderEvent, {}),
        'order',
        (p) => p.exchange,
        (m) => this.entries.onOrder(m.payload),
      ),
      await this.own(
        subject(Subjects.signalDecision, {}),
        'signal',
        (p) => p.candidate.exchange,
        (m) => this.entries.onSignal(m),
      ),
    );
    if (requiresRecon(this.deps.config))
      this.subs.push(
        await this.own(
          pattern(Subjects.reconStatus, exchange),
          'recon-status',
          (p) => p.venue,
          (m) => this.recon.onRecon(m.payload, m.eventTime),
        ),
      );
  }

  /**
   * Subscribes `handle` to this account's messages only: another exchange's are its own risk's to
   * judge, so they are acknowledged untouched (counted, and logged at debug).
   */
  private own<T>(
    on: Subject<T> | SubjectPattern<T>,
    what: RiskConsumer,
    exchangeOf: (payload: T) => string,
    handle: (message: Envelope<T>) => unknown,
  ): Promise<Subscription> {
    const { bus, venue } = this.deps;
    const handler = async (message: Envelope<T>): Promise<void> => {
      const exchange = exchangeOf(message.payload);
      if (exchange === venue.id) {
        await handle(message);
        return;
      }
      this.deps.otherVenue?.(what);
      this.deps.log.debug?.({ what, exchange, id: message.id }, "another venue's message: left to its risk");
    };
    return bus.subscribe(on, handler, { durable: riskDurable(venue.id, what) });
  }

  private async onPosition(message: Envelope<PositionEvent>): Promise<void> {
    // Halts are announced against the baseline as stored, before storing the new one: a delivery
    // whose store failed announces them again (the same alert id), never loses them.
    const before = this.halts.asStored();
    await this.positions.onPosition(message);
    await this.halts.announce(before, message);
    await this.halts.store();
  }

  /** A book prices the reservations and marks equity to market (EquityMarks). */
  private async onBook(message: Envelope<BookUpdate>): Promise<void> {
    const touch = this.books.onBook(message);
    if (!touch) return;
    const before = this.halts.asStored();
    if (!this.equity.onTouch(message.payload, touch)) return;
    await this.marked(before, message);
  }

  /**
   * Marks the held markets without a trusted streamed book from the venue's REST depth (EquityMarks
   * readUntrusted), each RISK_REST_MARK_INTERVAL_MS, as a book would mark them. The halts it begins are
   * announced under an id of this round (its time on the service clock): a round announces only what
   * the stored baseline does not hold yet.
   */
  private async markUntrusted(): Promise<void> {
    const read = await this.equity.readUntrusted();
    const before = this.halts.asStored();
    let moved = this.equity.endWaitIfDue();
    for (const { market, touch } of read) moved = this.equity.onTouch(market, touch) || moved;
    if (!moved) return;
    const id = derivedUuid('rest-mark', this.deps.venue.id, this.deps.clock.now());
    await this.marked(before, { id, correlationId: id });
  }

  /**
   * A halt the mark latched is announced and stored as after a position event. Never throws: a book
   * delivered again would be applied again out of order; a failed announce or store is tried again by
   * the next mark, which still finds the halt missing from the baseline as stored.
   */
  private async marked(before: RiskState, cause: { id: string; correlationId: string }): Promise<void> {
    try {
      await this.halts.announce(before, cause);
      await this.halts.storeMarked();
    } catch (err) {
      this.deps.log.error?.({ err }, 'a halt the mark began is not stored yet');
    }
  }
}
