import type { Bus, Subscription } from '@ballast/bus';
import {
  type Alert,
  type BookUpdate,
  type Clock,
  type DenyReason,
  derivedId,
  type Envelope,
  type FeedStatus,
  type KillCommand,
  type OrderEvent,
  type PositionEvent,
  type PositionSide,
  pattern,
  type ReconStatus,
  type ResumeCommand,
  type RiskDecision,
  type SignalDecision,
  type StopEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import {
  applyClosedTrade,
  applyControl,
  applyEntryFill,
  applyEquityMark,
  applyExitFill,
  applyKillState,
  applyResume,
  applyStopMove,
  bookTouch,
  type ClosedTrade,
  type ControlCommand,
  DEFAULT_BOOK_MAX_AGE_MS,
  decidedVerdict,
  decideEntry,
  derivedUuid,
  type EntryBook,
  type EquityBaseline,
  equityBaseline,
  type HaltBegun,
  haltsBegun,
  initialRiskState,
  isNoBook,
  KILL_RELEASED,
  type KillState,
  LossStreakTracker,
  liveApprovals,
  marketKey,
  noRestBook,
  openLongsCost,
  pendingAtStart,
  pricePending,
  type RiskLimits,
  type RiskState,
  reconFreshness,
  releasePending,
  reservePending,
  restoreEquityBaseline,
  StreamedBooks,
  sameEquityBaseline,
  setMarketStale,
  setVenueReconciled,
  streamedEntryBook,
} from '@ballast/core';
import type { NewClosedTrade } from '@ballast/db';
import type { OrderVenue } from '@ballast/exchange';
import { LatestWriter } from '@ballast/service-kit';
import type { ClosedTradeRecorder } from './closed-trade-recorder';
import {
  DEFAULT_PENDING_TTL_MS,
  DEFAULT_RECON_MAX_AGE_MS,
  DEFAULT_REST_BOOK_TIMEOUT_MS,
  type RiskConfig,
} from './config';
import type { DecidedStore } from './decided-store';
import type { EquityBaselineStore } from './equity-baseline-store';
import type { FeedStates, FeedStatesStore } from './feed-states-store';
import type { HeldPositions } from './held-positions';
import type { KillStore } from './kill-store';
import { RealisedLedger } from './realised-ledger';
import { readRestBook } from './rest-book';
import { type RiskFigures, riskFigures } from './risk-figures';
import { StoredValue } from './stored-value';

export interface RiskManagerDeps {
  bus: Bus;
  /** Its public REST depth stands in for a streamed book that cannot be trusted. */
  venue: Pick<OrderVenue, 'id' | 'marketRules' | 'balances' | 'orderBook'>;
  trades: Pick<ClosedTradeRecorder, 'all' | 'record'>;
  kill: Pick<KillStore, 'load' | 'save'>;
  /**
   * Where the peak, the day's start and the drawdown and daily-loss halts survive a restart: a restart
   * must neither lift a halt nor hand out a fresh drawdown or daily-loss budget.
   */
  baseline: Pick<EquityBaselineStore, 'load' | 'save'>;
  /**
   * Where each market's latest feed status survives a restart: market-data publishes one only when it
   * changes, so a market stale before the restart must stay stale after it.
   */
  feeds: Pick<FeedStatesStore, 'load' | 'save'>;
  /** The decisions risk remembers, kept across restarts. */
  decisions: DecidedStore;
  /** The positions held and their stops, from the durable records (readHeldPositions). */
  held: () => Promise<HeldPositions>;
  clock: Clock;
  config: RiskConfig;
  /** The limits in force now; an operator may change them while the service runs (LiveLimits). */
  limits: { readonly current: RiskLimits };
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error?(o: object, m: string): void;
  };
  /** Told of every entry verdict (metrics). */
  decided?: (verdict: { ok: true } | { ok: false; reason: DenyReason }) => void;
  /** Told of each failed write of the kill switch (metrics); it is tried again. */
  killSaveFailed?: () => void;
}

/** Stop events that tell where a position's live stop is. */
const LIVE_STOP_KINDS: ReadonlySet<StopEvent['kind']> = new Set(['placed', 'verified', 'moved']);

/** Order outcomes after which what the order left unfilled will not fill. */
const UNFILLABLE: ReadonlySet<OrderEvent['status']> = new Set(['rejected', 'cancelled']);

/** A thin fold: bus events → core reducers → RiskState; decisions come from core's decideEntry. */
export class RiskManager {
  private state!: RiskState;
  /**
   * Each venue's streamed books, offered only while in sequence since a snapshot: after a restart the
   * book consumer resumes on deltas, which hold only the levels changed since. Until then the venue's
   * REST depth is read instead.
   */
  private readonly books = new Map<string, StreamedBooks>();
  private readonly subs: Subscription[] = [];
  private ledger = new RealisedLedger([]);
  /** Closed trades' results, for the P&L figures. */
  private closed: ClosedTrade[] = [];
  /**
   * When reconciliation last reported on each venue (the status's event time); the others stay closed
   * to entries when it is required, and so does one whose last report is older than its max age.
   */
  private readonly reconHeard = new Map<string, number>();
  /**
   * When each position id's latest position was entered (event time of the first event showing it, or
   * its opening fill's time when read at start), for closed trades.
   */
  private readonly entries = new Map<string, number>();
  /** The stop the stop manager last reported per position id (at start: its active records). */
  private readonly stops = new Map<string, number>();
  /** The stop of the last entry approved per position id: the position it opens starts with it. */
  private readonly approvedStops = new Map<string, { side: PositionSide; stop: number }>();
  /** Closed trades whose record failed, by their close's message id: its redelivery records them. */
  private readonly unrecorded = new Map<string, NewClosedTrade>();
  /** The trade keys (their close's message id) of the closed trades recorded. */
  private readonly recorded = new Set<string>();
  /** The decisions as last stored, and the write under way. */
  private storedDecided: RiskState['decided'] = [];
  private storing: Promise<void> = Promise.resolve();
  /** The equity baseline as last stored (undefined: none yet), and the write under way. */
  private readonly baseline = new StoredValue<EquityBaseline>(
    (baseline) => this.deps.baseline.save(baseline),
    sameEquityBaseline,
  );
  /** Each market's latest feed status applied, the states as last stored, and the write under way. */
  private feeds: FeedStates = {};
  private readonly storedFeeds = new StoredValue<FeedStates>(
    (feeds) => this.deps.feeds.save(feeds),
    (a, b) => a === b,
  );
  /** The kill switch as the last kill or resume applied set it; `killWriter` stores it. */
  private killSwitch: KillState = KILL_RELEASED;
  private readonly killWriter = new LatestWriter<KillState>({
    write: (state) => this.deps.kill.save(state),
    failed: (err, failures) => {
      const { log } = this.deps;
      if (log.error) log.error({ err, failures }, 'kill switch not stored: trying again');
      else log.warn({ err, failures }, 'kill switch not stored: trying again');
      this.deps.killSaveFailed?.();
    },
    // Jitter only: when the next try goes, never what is decided.
    random01: Math.random,
  });

  constructor(private readonly deps: RiskManagerDeps) {}

  get current(): RiskState {
    return this.state;
  }

  /** What the metrics export; undefined until started. */
  figures(): RiskFigures | undefined {
    if (!this.state) return undefined;
    return riskFigures(this.state, this.deps.limits.current, this.closed, this.deps.clock.now());
  }

  async start(): Promise<void> {
    const now = this.deps.clock.now();
    const history = await this.deps.trades.all();
    const held = await this.deps.held();
    this.ledger = new RealisedLedger(history);
    for (const t of history) this.recorded.add(t.tradeKey);
    // What every position id has paid and realised so far, by the recorded fills, is in the venue
    // balance already, and part of a configured equity: a close that happened while risk was down
    // included, whose event (not acknowledged yet) is delivered now and must add nothing. Their next
    // events add only what changes after.
    for (const slot of held.slots) this.ledger.fold(slot.positionId, slot.realizedPnl - slot.fees);
    this.closed = history.map((t) => ({ pnl: t.pnl, closeTime: t.closeTime }));
    await this.restoreBaseline(now, openLongsCost(held.slots, this.deps.venue.id));
    this.killSwitch = await this.deps.kill.load();
    this.state = applyKillState(this.state, this.killSwitch, now);
    this.state = { ...this.state, lossStreak: LossStreakTracker.fromHistory(history).state };
    this.storedDecided = await this.deps.decisions.load(now);
    this.state = { ...this.state, decided: this.storedDecided };
    this.holdFromRecords(held, now);
    await this.restoreFeeds();
    await this.priceFromRest();
    const { bus } = this.deps;
    const opts = (what: string) => ({ durable: `risk-${what}` });
    this.subs.push(
      await bus.subscribe(subject(Subjects.kill, {}), (m) => this.onKill(m), opts('kill')),
      await bus.subscribe(subject(Subjects.resume, {}), (m) => this.onResume(m), opts('resume')),
      await bus.subscribe(pattern(Subjects.feedStatus), (m) => this.onStatus(m), opts('status')),
      await bus.subscribe(pattern(Subjects.book), (m) => this.onBook(m), opts('book')),
      await bus.subscribe(
        subject(Subjects.positionEvent, {}),
        async (m) => {
          // Halts are announced against the baseline as stored, before storing the new one: a delivery
          // whose store failed announces them again (the same alert id), never loses them.
          const stored = this.baseline.stored;
          const before = stored ? { ...this.state, ...stored } : this.state;
          await this.onPosition(m);
          await this.announceHalts(before, m);
          await this.storeBaseline();
        },
        opts('position'),
      ),
      await bus.subscribe(subject(Subjects.stopEvent, {}), (m) => this.onStop(m.payload), opts('stop')),
      await bus.subscribe(subject(Subjects.orderEvent, {}), (m) => this.onOrder(m.payload), opts('order')),
      await bus.subscribe(subject(Subjects.signalDecision, {}), (m) => this.onSignal(m), opts('signal')),
    );
    if (this.deps.config.RISK_REQUIRE_RECON)
      this.subs.push(
        await bus.subscribe(
          pattern(Subjects.reconStatus),
          (m) => this.onRecon(m.payload, m.eventTime),
          opts('recon-status'),
        ),
      );
  }

  async stop(): Promise<void> {
    // A kill or resume still waiting for its write gives up first: its message is delivered again.
    await this.killWriter.stop();
    for (const s of this.subs) await s.stop();
  }

  /**
   * The equity read now on the baseline stored before the restart (restoreEquityBaseline): the halts
   * and the peak stay as they were, and the day's start unless a new UTC day has begun. Stored again at
   * once when the restart changed it (a new day, a new peak, a halt latched on what changed while down).
   */
  private async restoreBaseline(now: number, heldCost: number): Promise<void> {
    const fresh = initialRiskState(await this.equity(heldCost), now);
    this.baseline.stored = await this.deps.baseline.load();
    this.state = restoreEquityBaseline(fresh, this.baseline.stored, this.deps.limits.current, now);
    const { drawdownHalt, dailyLossHalt, peakEquity, dayStartEquity } = this.state;
    if (drawdownHalt || dailyLossHalt)
      this.deps.log.warn(
        { drawdownHalt, dailyLossHalt, peakEquity, dayStartEquity },
        'entries halted as before the restart',
      );
    await this.storeBaseline();
  }

  /** Stores the equity baseline when it changed, one write after another, each of the latest. */
  private storeBaseline(): Promise<void> {
    return this.baseline.store(() => equityBaseline(this.state));
  }

  /**
   * Starts from what the durable records hold: the position events that opened these positions were
   * acknowledged before this start and are not delivered again. Flat slots keep their last entry time,
   * for a close that happened while risk was down; a replayed event changes nothing (it is cumulative).
   * Approved entries whose orders may still fill are reserved again, for what they have not filled, and
   * so are approvals the orders service has not recorded yet; the position such an entry opens starts
   * with its approved stop. Each position and reservation keeps its strategy: a market stays its
   * holder's (market_held).
   */
  private holdFromRecords({ slots, stops, entryOrders }: HeldPositions, now: number): void {
    for (const [positionId, stop] of stops) this.stops.set(positionId, stop);
    for (const slot of slots) {
      this.entries.set(slot.positionId, slot.enteredAt);
      if (slot.qty <= 0) continue;
      const { positionId, exchange, symbol, side, qty, entry, strategy } = slot;
      const stop = this.stops.get(positionId) ?? 0;
      this.state = applyEntryFill(this.state, {
        positionId,
        exchange,
        symbol,
        side,
        qty,
        price: entry,
        stop,
        strategy,
      });
    }
    for (const pending of pendingAtStart(entryOrders, this.state.decided, this.pendingTtlMs, now))
      this.state = reservePending(this.state, pending);
    const awaited = new Set(this.state.pending.map((p) => p.intentId));
    for (const { intentId, candidate, verdict } of liveApprovals(this.state.decided, now))
      if (awaited.has(intentId))
        this.approvedStops.set(marketKey(candidate.exchange, candidate.symbol), {
          side: candidate.side,
          stop: verdict.stop,
        });
  }

  /**
   * Stores the decisions when they changed, one write after another, each of the latest. Awaited before
   * the message that changed them is acknowledged, not before risk's decision is published: the publish
   * does not wait for a commit, and a crash between the two leaves the signal unacknowledged, so it is
   * decided again after the restart.
   */
  private storeDecided(): Promise<void> {
    const run = this.storing.then(async () => {
      const decided = this.state.decided;
      if (decided === this.storedDecided) return;
      // A decision is a new object when it is new or changed (rememberDecided, releaseDecided).
      const stored = new Set(this.storedDecided);
      const changed = decided.filter((d) => !stored.has(d));
      await this.deps.decisions.save(changed, this.deps.clock.now());
      this.storedDecided = decided;
    });
    this.storing = run.catch(() => undefined);
    return run;
  }

  private get pendingTtlMs(): number {
    return this.deps.config.RISK_PENDING_TTL_MS ?? DEFAULT_PENDING_TTL_MS;
  }

  /**
   * A configured equity is the starting amount, so what the recorded trades and fills have realised and
   * paid so far is added to it; a venue balance already contains it.
   */
  /**
   * The equity at start. From the venue: its quote balance plus what our open longs cost (the quote they
   * took is still ours, in coins): otherwise every restart with a position open would read its cost as a
   * loss against the stored peak and latch the drawdown and daily-loss halts.
   */
  private async equity(heldCost: number): Promise<number> {
    if (this.deps.config.RISK_EQUITY !== undefined)
      return this.deps.config.RISK_EQUITY + this.ledger.foldedTotal();
    const balances = await this.deps.venue.balances();
    return (balances[this.deps.config.RISK_QUOTE_ASSET] ?? 0) + heldCost;
  }

  private async onSignal(message: Envelope<SignalDecision>): Promise<void> {
    const { candidate, approved, sizeMultiplier } = message.payload;
    if (!approved) return;
    const intentId = `in-${derivedId('intent', candidate.id)}`;
    // A redelivered signal gets its verdict again whatever the book: no REST read for it.
    const book: EntryBook = decidedVerdict(this.state, intentId, this.deps.clock.now())
      ? { none: 'decided before' }
      : await this.entryBook(candidate.exchange, candidate.symbol);
    const rules = await this.deps.venue.marketRules(candidate.symbol);
    if (this.deps.config.RISK_REQUIRE_RECON) this.closeUnheardVenue(candidate.exchange);
    // Decided and reserved in one turn: the next candidate sees this one's reservation.
    const { state, verdict } = decideEntry(
      this.state,
      { intentId, ttlMs: this.pendingTtlMs },
      {
        strategy: candidate.strategy,
        exchange: candidate.exchange,
        symbol: candidate.symbol,
        side: candidate.side,
        entry: candidate.entry,
        stop: candidate.stop,
        takeProfits: candidate.takeProfits,
        regime: candidate.regime ?? this.deps.config.RISK_DEFAULT_REGIME,
        // The volatility regime's scale is in sizeMultiplier already (the reviewer sizes by it).
        volatilityScale: 1,
        sizeMultiplier,
        signalTime: message.eventTime,
        book,
        rules,
      },
      this.deps.limits.current,
      this.deps.clock.now(),
    );
    this.state = state;
    this.deps.decided?.(verdict);
    if (verdict.ok)
      this.approvedStops.set(marketKey(candidate.exchange, candidate.symbol), {
        side: candidate.side,
        stop: verdict.stop,
      });
    const decision: RiskDecision = verdict.ok
      ? {
          approved: true,
          intent: {
            intentId,
            candidateId: candidate.id,
            strategy: candidate.strategy,
            exchange: candidate.exchange,
            symbol: candidate.symbol,
            positionSide: candidate.side,
            side: candidate.side === 'long' ? 'buy' : 'sell',
            qty: verdict.qty,
            entry: verdict.entry,
            stop: verdict.stop,
            takeProfits: candidate.takeProfits,
            riskAmount: verdict.riskAmount,
            expiresAt: this.deps.clock.now() + this.pendingTtlMs,
          },
        }
      : {
          approved: false,
          candidateId: candidate.id,
          exchange: candidate.exchange,
          symbol: candidate.symbol,
          reason: verdict.reason,
          limit: Number.isFinite(verdict.limit) ? verdict.limit : 0,
          value: Number.isFinite(verdict.value) ? verdict.value : 0,
          detail: verdict.detail,
        };
    // The id is derived from the candidate, so a redelivered signal yields the same (de-duplicated) decision.
    await Promise.all([
      this.deps.bus.publish(subject(Subjects.riskDecision, {}), decision, {
        causedBy: message,
        id: derivedUuid('risk', candidate.id),
      }),
      this.storeDecided(),
    ]);
  }

  /**
   * The book an entry is sized against: the streamed one while it is in sequence since a snapshot and
   * fresh, with no I/O (the path of every entry while market-data streams); else the venue's public REST
   * depth, read within RISK_REST_BOOK_TIMEOUT_MS (after a restart the stream offers none until
   * market-data's next resync, up to PLANNED_RECONNECT_MS), which also prices the market's reservations
   * read back unpriced, so this entry counts them; when that read fails too, why there is neither.
   */
  private async entryBook(exchange: string, symbol: string): Promise<EntryBook> {
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
    this.state = pricePending(this.state, { exchange, symbol, ...bookTouch(rest.book) });
    return rest.book;
  }

  private restBook(symbol: string) {
    const timeoutMs = this.deps.config.RISK_REST_BOOK_TIMEOUT_MS ?? DEFAULT_REST_BOOK_TIMEOUT_MS;
    return readRestBook(this.deps.venue, symbol, timeoutMs);
  }

  /**
   * Prices the reservations read back unpriced at start (orders recorded without a price: a market
   * order not sent yet) from the venue's REST depth: the stream offers no book in sequence until
   * market-data's next snapshot, and until priced they count their slot and market but no notional.
   * One read per market, all at once, before any signal is decided; a market whose read fails stays
   * unpriced until a trusted streamed book or an entry's REST read on it.
   */
  private async priceFromRest(): Promise<void> {
    const venue = this.deps.venue.id;
    const symbols = new Set(
      this.state.pending.filter((p) => p.entry <= 0 && p.exchange === venue).map((p) => p.symbol),
    );
    await Promise.all(
      [...symbols].map(async (symbol) => {
        const rest = await this.restBook(symbol);
        if (rest.ok)
          this.state = pricePending(this.state, { exchange: venue, symbol, ...bookTouch(rest.book) });
        else this.deps.log.warn({ symbol, reason: rest.reason }, 'reservations left unpriced');
      }),
    );
  }

  private onBook(message: Envelope<BookUpdate>): void {
    const { exchange, symbol } = message.payload;
    const books = this.books.get(exchange) ?? new StreamedBooks();
    this.books.set(exchange, books);
    books.apply(message);
    // Books arrive often; reservations read back unpriced are rare. Priced only by a book in sequence.
    const touch = this.state.pending.length > 0 ? books.touch(symbol) : undefined;
    if (touch) this.state = pricePending(this.state, { exchange, symbol, ...touch });
  }

  /** A refused or cancelled order frees the part of its entry's reservation it will never fill. */
  private async onOrder(event: OrderEvent): Promise<void> {
    if (event.intentId === null || !UNFILLABLE.has(event.status)) return;
    this.state = releasePending(this.state, {
      intentId: event.intentId,
      clientOrderId: event.clientOrderId,
      unfilledQty: event.qty - event.filledQty,
    });
    await this.storeDecided();
  }

  /**
   * A venue reconciliation has not reported on, or not within RISK_RECON_MAX_AGE_MS, is closed to
   * entries: a reconciliation that died must not leave its last `reconciled` in force. Its next status
   * opens it again (onRecon).
   */
  private closeUnheardVenue(venue: string): void {
    const maxAgeMs = this.deps.config.RISK_RECON_MAX_AGE_MS ?? DEFAULT_RECON_MAX_AGE_MS;
    const heard = reconFreshness(venue, this.reconHeard.get(venue), this.deps.clock.now(), maxAgeMs);
    if (!heard.fresh) this.state = setVenueReconciled(this.state, venue, false, heard.why);
  }

  /** Only `reconciled` opens a venue to entries; exits and stops never pass through here. */
  private onRecon(status: ReconStatus, publishedAt: number): void {
    this.reconHeard.set(status.venue, publishedAt);
    this.state = setVenueReconciled(this.state, status.venue, status.status === 'reconciled');
    this.deps.log.info(
      { venue: status.venue, status: status.status, detail: status.detail },
      'venue reconciliation',
    );
  }

  /**
   * The feed states stored before the restart: the status consumer resumes after the last status it
   * acknowledged, and each was stored before its acknowledgement. A market never reported is not stale.
   */
  private async restoreFeeds(): Promise<void> {
    this.feeds = await this.deps.feeds.load();
    this.storedFeeds.stored = this.feeds;
    for (const [key, { stale }] of Object.entries(this.feeds))
      this.state = setMarketStale(this.state, key, stale);
  }

  /**
   * A market's status is in force at once and stored before it is acknowledged; one older than the
   * status applied last (delivered again after a failed write or a restart) changes nothing.
   */
  private async onStatus(message: Envelope<FeedStatus>): Promise<void> {
    const { exchange, symbol, state } = message.payload;
    if (symbol === null) return;
    const key = marketKey(exchange, symbol);
    const at = message.eventTime;
    if (at >= (this.feeds[key]?.at ?? Number.NEGATIVE_INFINITY)) {
      const stale = state !== 'live';
      this.feeds = { ...this.feeds, [key]: { stale, at } };
      this.state = setMarketStale(this.state, key, stale);
    }
    await this.storedFeeds.store(() => this.feeds);
  }

  private async onPosition(message: Envelope<PositionEvent>): Promise<void> {
    const p = message.payload;
    // A close whose state was applied and whose trade failed to record only records it: later events of
    // the position id were handled while it waited (a new position may have opened), and are newer.
    const unrecorded = this.unrecorded.get(message.id);
    if (unrecorded) return this.recordClose(message.id, unrecorded);
    // A close whose trade is recorded was applied before: delivered again, it changes nothing.
    if (p.status === 'closed' && this.recorded.has(message.id)) return;
    const held = this.state.positions.find((x) => x.positionId === p.positionId);
    const net = p.realizedPnl - p.fees;
    if (p.status === 'closed' && held && message.eventTime < (this.entries.get(p.positionId) ?? 0))
      return this.recordEarlierClose(message, net);
    const change = this.ledger.fold(p.positionId, net);
    if (change !== 0)
      this.state = applyEquityMark(
        this.state,
        { equity: this.state.equity + change, time: this.deps.clock.now() },
        this.deps.limits.current,
      );
    if (p.status === 'closed') {
      this.state = applyExitFill(this.state, { positionId: p.positionId, qty: held?.qty ?? 0 });
      const trade = this.closedTrade(message, net, this.entries.get(p.positionId) ?? null);
      this.entries.delete(p.positionId);
      this.stops.delete(p.positionId);
      this.ledger.book(p.positionId, net, p.fees);
      return this.recordClose(message.id, trade);
    }
    if (p.qty > 0 && (!held || !this.entries.has(p.positionId)))
      this.entries.set(p.positionId, message.eventTime);
    const delta = p.qty - (held?.qty ?? 0);
    if (delta > 0) {
      this.state = applyEntryFill(this.state, {
        positionId: p.positionId,
        exchange: p.exchange,
        symbol: p.symbol,
        side: p.side,
        qty: delta,
        price: p.avgEntry,
        // The event's average already counts this fill: an add is not averaged in again.
        avgEntry: p.avgEntry,
        stop: held?.stop ?? this.openingStop(p),
        // The orders service names the position's owner (positionOwner); an add leaves it as it was.
        strategy: p.strategy,
      });
      this.approvedStops.delete(p.positionId);
    } else if (delta < 0) {
      this.state = applyExitFill(this.state, { positionId: p.positionId, qty: -delta });
    }
  }

  /**
   * The close of a position before the one held on the position id (exchange:symbol, reused), delivered
   * again after a restart: its record failed before it, and the held position was read from the
   * recorded fills, which count the close already. It only records its trade; the entry time of the
   * position it closed is not known any more.
   */
  private recordEarlierClose(message: Envelope<PositionEvent>, net: number): Promise<void> {
    const p = message.payload;
    const trade = this.closedTrade(message, net, null);
    // The held position's own trade is counted from this close on.
    this.ledger.book(p.positionId, net, p.fees);
    this.deps.log.warn(
      { positionId: p.positionId, closeTime: message.eventTime, enteredAt: this.entries.get(p.positionId) },
      'close of an earlier position: recorded, the position held stays',
    );
    return this.recordClose(message.id, trade);
  }

  /** The trade a close ends: its own pnl and fees, since the position id's previous close. */
  private closedTrade(
    message: Envelope<PositionEvent>,
    net: number,
    entryTime: number | null,
  ): NewClosedTrade {
    const p = message.payload;
    return {
      tradeKey: message.id,
      strategy: p.strategy,
      exchange: p.exchange,
      symbol: p.symbol,
      pnl: this.ledger.tradePnl(p.positionId, net),
      fees: this.ledger.tradeFees(p.positionId, p.fees),
      entryTime,
      closeTime: message.eventTime,
    };
  }

  /**
   * Records a closed trade and counts it (loss streak, P&L figures) once recorded. Until then it is kept
   * by its close's message id and the error fails the message: the bus delivers it again after a delay,
   * and meanwhile the events after it, so the close's effect on the position is applied once, in order.
   */
  private async recordClose(messageId: string, trade: NewClosedTrade): Promise<void> {
    this.unrecorded.set(messageId, trade);
    const recorded = await this.deps.trades.record(trade);
    this.unrecorded.delete(messageId);
    this.recorded.add(messageId);
    if (!recorded) return;
    const closed = { pnl: trade.pnl, closeTime: trade.closeTime };
    this.state = applyClosedTrade(this.state, closed);
    this.closed.push(closed);
  }

  /**
   * A new position's stop: the one the stop manager reported, when its event came first (they travel on
   * another stream), else the stop of the entry risk approved for it; 0 (unknown) when neither is known.
   */
  private openingStop(p: PositionEvent): number {
    const approved = this.approvedStops.get(p.positionId);
    return this.stops.get(p.positionId) ?? (approved?.side === p.side ? approved.stop : 0);
  }

  /** Open risk is measured to the live stop: the stop manager places it, reads it back and trails it. */
  private onStop(event: StopEvent): void {
    if (!LIVE_STOP_KINDS.has(event.kind) || event.stopPrice === null) return;
    this.stops.set(event.positionId, event.stopPrice);
    this.state = applyStopMove(this.state, { positionId: event.positionId, stop: event.stopPrice });
  }

  /**
   * Tells each halt a position event began on `alert` at once (Telegram, the dashboard), instead of
   * leaving the operator to learn of it from the next rejected entry. Ids derive from the event, so
   * a redelivered event announces nothing twice.
   */
  private async announceHalts(before: RiskState, cause: Envelope<PositionEvent>): Promise<void> {
    for (const halt of haltsBegun(before, this.state, this.deps.limits.current, this.deps.clock.now())) {
      this.deps.log.warn(
        { halt: halt.reason, limit: halt.limit, value: halt.value, until: halt.until },
        'entries halted',
      );
      await this.deps.bus.publish(subject(Subjects.alert, {}), haltAlert(halt), {
        causedBy: cause,
        id: derivedUuid('halt', halt.reason, cause.id),
      });
    }
  }

  private onKill(message: Envelope<KillCommand>): Promise<void> {
    const { id, eventTime: at, payload: kill } = message;
    return this.onControl(message, { kind: 'kill', id, at, kill });
  }

  /**
   * Lifts the kill switch, and the drawdown halt when the resume asks (`clearDrawdown`); the baseline
   * is stored before the acknowledgement, so a restart after it does not bring the halt back.
   */
  private onResume(message: Envelope<ResumeCommand>): Promise<void> {
    const command: ControlCommand = { kind: 'resume', id: message.id, at: message.eventTime };
    return this.onControl(message, command, message.payload.clearDrawdown === true);
  }

  /**
   * A kill or resume is in force at once, then stored: a store that does not answer delays the record,
   * never the switch. Its message is acknowledged once stored, or once a command given later is applied
   * (whose message then waits), so a restart before then has it delivered again. One given before the
   * command in force changes nothing (applyControl), a drawdown halt it asks to clear included.
   */
  private async onControl(message: Envelope<unknown>, command: ControlCommand, clearDrawdown = false) {
    const now = this.deps.clock.now();
    const { applied, state } = applyControl(this.killSwitch, command, now);
    if (!applied) {
      const detail = `not applied: command ${state.commandId}, given after it, is in force`;
      await this.ack(command.kind, message, state.engaged, detail);
      return;
    }
    this.killSwitch = state;
    this.state = applyKillState(this.state, state, now);
    // Handed to the writer before any wait: a command applied meanwhile is written after this one.
    const stored = this.killWriter.set(state);
    let detail = state.engaged ? 'rejecting every new entry (kill_switch)' : 'evaluating entries again';
    if (command.kind === 'resume') {
      const halt = this.state.drawdownHalt;
      this.state = applyResume(this.state, { clearDrawdown });
      await this.storeBaseline();
      detail = resumeDetail(halt, clearDrawdown, this.state.peakEquity);
    }
    await Promise.all([stored, this.ack(command.kind, message, state.engaged, detail)]);
  }

  private async ack(command: 'kill' | 'resume', cause: Envelope<unknown>, engaged: boolean, detail: string) {
    await this.deps.bus.publish(
      subject(Subjects.controlAck, {}),
      { service: 'risk', command, commandId: cause.id, engaged, detail },
      { causedBy: cause, id: derivedUuid('ack', 'risk', cause.id) },
    );
  }
}

/** What a resume did, for the operator: a drawdown halt it left in place says how to lift it. */
function resumeDetail(halt: RiskState['drawdownHalt'], cleared: boolean, peak: number): string {
  if (!halt) return 'evaluating entries again';
  const since = new Date(halt.at).toISOString();
  if (cleared) return `evaluating entries again; drawdown halt since ${since} lifted, peak reset to ${peak}`;
  return `kill switch lifted; entries stay halted by the drawdown halt since ${since} (lift it with resume --clear-drawdown)`;
}

function haltAlert(halt: HaltBegun): Alert {
  return {
    severity: halt.reason === 'loss_streak' ? 'warning' : 'critical',
    kind: 'risk_halt',
    message: `entries halted (${halt.reason.replace('_', ' ')}): ${halt.detail}`,
    labels: { service: 'risk', halt: halt.reason },
  };
}
