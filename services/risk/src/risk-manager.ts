import type { Subscription } from '@ballast/bus';
import { type Envelope, type PositionEvent, pattern, Subjects, subject } from '@ballast/contracts';
import { LossStreakTracker, openLongsCost, type RiskState } from '@ballast/core';
import { ClosedTrades } from './closed-trades';
import { EntryBooks } from './entry-books';
import { EntryDecisions } from './entry-decisions';
import { Halts } from './halts';
import { KillSwitch } from './kill-switch';
import { MarketFeeds } from './market-feeds';
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
  private readonly positions: Positions;
  private readonly halts: Halts;
  private readonly kill: KillSwitch;
  private readonly feeds: MarketFeeds;
  private readonly recon: VenueReconciliation;
  private readonly books: EntryBooks;
  private readonly decided: StoredDecisions;
  private readonly entries: EntryDecisions;

  constructor(private readonly deps: RiskManagerDeps) {
    this.ctx = new RiskContext(deps);
    this.trades = new ClosedTrades(this.ctx);
    this.stops = new PositionStops(this.ctx);
    this.positions = new Positions(this.ctx, this.stops, this.trades);
    this.halts = new Halts(this.ctx, this.trades);
    this.kill = new KillSwitch(this.ctx, this.halts);
    this.feeds = new MarketFeeds(this.ctx);
    this.recon = new VenueReconciliation(this.ctx);
    this.books = new EntryBooks(this.ctx);
    this.decided = new StoredDecisions(this.ctx);
    this.entries = new EntryDecisions(this.ctx, this.books, this.recon, this.stops, this.decided);
  }

  get current(): RiskState {
    return this.ctx.state;
  }

  /** What the metrics export; undefined until started. */
  figures(): RiskFigures | undefined {
    if (!this.ctx.state) return undefined;
    return riskFigures(this.ctx.state, this.deps.limits.current, this.trades.results, this.deps.clock.now());
  }

  async start(): Promise<void> {
    const now = this.deps.clock.now();
    const history = await this.deps.trades.all();
    const held = await this.deps.held();
    this.trades.load(history, held.slots);
    await this.halts.restore(now, openLongsCost(held.slots, this.deps.venue.id));
    await this.kill.load(now);
    this.ctx.state = { ...this.ctx.state, lossStreak: LossStreakTracker.fromHistory(history).state };
    await this.decided.load(now);
    this.positions.load(held);
    this.entries.reserveAtStart(held.entryOrders, now);
    await this.feeds.restore();
    await this.books.priceFromRest();
    await this.subscribe();
  }

  async stop(): Promise<void> {
    // A kill or resume still waiting for its write gives up first: its message is delivered again.
    await this.kill.stop();
    for (const s of this.subs) await s.stop();
  }

  private async subscribe(): Promise<void> {
    const { bus } = this.deps;
    const opts = (what: string) => ({ durable: `risk-${what}` });
    this.subs.push(
      await bus.subscribe(subject(Subjects.kill, {}), (m) => this.kill.onKill(m), opts('kill')),
      await bus.subscribe(subject(Subjects.resume, {}), (m) => this.kill.onResume(m), opts('resume')),
      await bus.subscribe(pattern(Subjects.feedStatus), (m) => this.feeds.onStatus(m), opts('status')),
      await bus.subscribe(pattern(Subjects.book), (m) => this.books.onBook(m), opts('book')),
      await bus.subscribe(subject(Subjects.positionEvent, {}), (m) => this.onPosition(m), opts('position')),
      await bus.subscribe(subject(Subjects.stopEvent, {}), (m) => this.stops.onStop(m.payload), opts('stop')),
      await bus.subscribe(
        subject(Subjects.orderEvent, {}),
        (m) => this.entries.onOrder(m.payload),
        opts('order'),
      ),
      await bus.subscribe(
        subject(Subjects.signalDecision, {}),
        (m) => this.entries.onSignal(m),
        opts('signal'),
      ),
    );
    if (this.deps.config.RISK_REQUIRE_RECON)
      this.subs.push(
        await bus.subscribe(
          pattern(Subjects.reconStatus),
          (m) => this.recon.onRecon(m.payload, m.eventTime),
          opts('recon-status'),
        ),
      );
  }

  private async onPosition(message: Envelope<PositionEvent>): Promise<void> {
    // Halts are announced against the baseline as stored, before storing the new one: a delivery
    // whose store failed announces them again (the same alert id), never loses them.
    const before = this.halts.asStored();
    await this.positions.onPosition(message);
    await this.halts.announce(before, message);
    await this.halts.store();
  }
}
