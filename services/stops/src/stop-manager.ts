import { type Subscription, UNTIL_CARRIED_OUT } from '@ballast/bus';
import {
  type Candle,
  type ControlAck,
  type Envelope,
  type FeedStatus,
  type KillCommand,
  MissingStopEvidence,
  type OrderEvent,
  type PositionEvent,
  pattern,
  type ReconEvent,
  Subjects,
  subject,
  type Trade,
} from '@ballast/contracts';
import {
  derivedUuid,
  LatestBars,
  positionChange,
  roundDownToStep,
  StopHistory,
  sellingAll,
  stopExpected,
  TradeCoverage,
} from '@ballast/core';
import { Closes } from './closes';
import { Entries } from './entries';
import { FlattenHold } from './flatten-hold';
import { SERVICE, StopContext, type StopManagerDeps } from './stop-context';
import { StopPlacement, type VerifyOutcome } from './stop-placement';
import { leftoverStop, type StopRecord, wantedStop, watchedStop } from './stop-record';
import { StopTriggers } from './stop-triggers';
import { TakeProfits } from './take-profits';
import { Trailing } from './trailing';

export type { StopLog, StopManagerDeps, StopRecordStore } from './stop-context';

/**
 * Keeps every open position protected: places an exchange-side stop on each entry, reads it back,
 * trails it, takes profit in steps, watches prices locally as a second line of defence, and on start
 * re-places any stop the venue lost. When a stop cannot be placed the position is flattened.
 *
 * Closing orders (flatten, take-profit, local stop, paper stop triggers) go out as reduce-only market
 * `ord.cmd` submits: the orders service owns the account and the position fold, and JetStream keeps
 * the command if that service is briefly down. Its order events say whether a take-profit sold.
 */
export class StopManager {
  /** The runs of trades seen: a bar inside one was checked trade by trade. */
  private readonly trades: TradeCoverage;
  /** The stops each position was watched at, and from when: a bar's extreme is judged by the loosest. */
  private readonly stopHistory = new StopHistory();
  /** The newest bar seen of each series not trailed by (the trailing ATR keeps its own). */
  private readonly bars = new LatestBars();
  private readonly subs: Subscription[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private readonly ctx: StopContext;
  private readonly closes: Closes;
  private readonly triggers: StopTriggers;
  private readonly placement: StopPlacement;
  private readonly takeProfits: TakeProfits;
  private readonly trailing: Trailing;
  private readonly entries: Entries;
  private readonly flattenHold: FlattenHold;
  /** Positions no record names that were alerted on, by position id and size: alerted once each. */
  private readonly unheldAlerted = new Set<string>();
  /** The periodic check queued behind the change in progress, not started yet: later asks join it. */
  private queuedCheck: Promise<void> | null = null;

  constructor(private readonly deps: StopManagerDeps) {
    this.ctx = new StopContext(deps);
    this.trades = new TradeCoverage(deps.config.TRADE_RUN_GAP_MS);
    this.flattenHold = new FlattenHold(this.ctx);
    // Closes give up an unanswered take-profit, and take-profits send closes: bound late.
    this.closes = new Closes(
      this.ctx,
      { takeProfitFailed: (record, unsold, why) => this.takeProfits.takeProfitFailed(record, unsold, why) },
      this.flattenHold,
    );
    this.triggers = new StopTriggers(this.ctx, this.closes);
    this.placement = new StopPlacement(this.ctx, this.closes, this.triggers);
    this.takeProfits = new TakeProfits(this.ctx, this.closes, this.placement, this.flattenHold);
    this.trailing = new Trailing(this.ctx, this.placement);
    this.entries = new Entries(this.ctx, this.closes, this.placement, this.trailing);
  }

  /** Reloads records and intents, reconciles them with the venue, warms the ATRs, then subscribes. */
  async start(): Promise<void> {
    for (const record of await this.deps.store.active(this.deps.venue.id))
      if (record.unplanned) this.entries.reloadUnplanned({ ...record, unplanned: record.unplanned });
      else if (leftoverStop(record)) this.placement.reloadLeftover(record);
      else this.ctx.records.set(record.positionId, record);
    await this.entries.load();
    // Before the stops are verified: those a flatten under way holds are not put back.
    await this.flattenHold.load();
    await this.serial(() => this.reconcile());
    await this.serial(() => this.endFlattenHoldIfExpired());
    for (const symbol of new Set([...this.ctx.records.values()].map((r) => r.symbol)))
      await this.trailing.warmAtr(symbol);
    const { bus } = this.deps;
    const durable = (name: string) => `stops-${this.deps.venue.id}-${name}`;
    this.subs.push(
      await bus.subscribe(
        subject(Subjects.riskDecision, {}),
        (m) => this.serial(() => this.entries.onDecision(m)),
        {
          durable: durable('decision'),
        },
      ),
      await bus.subscribe(subject(Subjects.positionEvent, {}), (m) => this.serial(() => this.onPosition(m)), {
        durable: durable('position'),
      }),
      await bus.subscribe(subject(Subjects.orderEvent, {}), (m) => this.serial(() => this.onOrder(m)), {
        durable: durable('order'),
      }),
      await bus.subscribe(
        pattern(Subjects.trade, { exchange: this.deps.venue.id }),
        (m: Envelope<Trade>) => this.serial(() => this.onTrade(m)),
        { durable: durable('trade') },
      ),
      // A feed's break ends the run of trades (stamped: whether read before or after the trades around it).
      await bus.subscribe(
        pattern(Subjects.feedStatus, { exchange: this.deps.venue.id }),
        (m: Envelope<FeedStatus>) => this.serial(async () => this.onFeedStatus(m)),
        { durable: durable('status') },
      ),
      await bus.subscribe(
        pattern(Subjects.candle, { exchange: this.deps.venue.id }),
        (m: Envelope<Candle>) => this.serial(() => this.onCandle(m)),
        { durable: durable('candle') },
      ),
      // A kill is tried again until its flatten hold is stored and acknowledged: never dead-lettered (a
      // database away for ~11 s left the stops unheld, to fight the orders service's flatten for the coins).
      await bus.subscribe(subject(Subjects.kill, {}), (m) => this.serial(() => this.onKill(m)), {
        durable: durable('kill'),
        maxDeliver: UNTIL_CARRIED_OUT,
      }),
      await bus.subscribe(subject(Subjects.reconEvent, {}), (m) => this.serial(() => this.onRecon(m)), {
        durable: durable('recon'),
      }),
      await bus.subscribe(subject(Subjects.controlAck, {}), (m) => this.serial(() => this.onAck(m)), {
        durable: durable('ack'),
      }),
    );
  }

  /** Stops the subscriptions and waits for the change in progress. */
  async stop(): Promise<void> {
    for (const s of this.subs) await s.stop();
    await this.serial(async () => undefined);
  }

  /** The record for a position, for tests and the CLI. */
  record(positionId: string): StopRecord | undefined {
    const r = this.ctx.records.get(positionId);
    return r ? { ...r } : undefined;
  }

  /**
   * Verifies every active record against the venue and re-places what is missing or wrong; a position
   * stored while its stop could not be planned is planned again, and a closed position's stop whose
   * cancel failed is cancelled.
   */
  async reconcile(): Promise<void> {
    for (const record of [...this.ctx.records.values()]) {
      await this.takeProfits.resumeTakeProfit(record);
      // None rests while a close, or a sale of everything whose stop was cancelled for it, is out.
      if (stopExpected(record) && !this.flattenHold.held(record)) await this.placement.verifyAtStart(record);
    }
    await this.entries.retryUnplanned();
    await this.placement.cancelLeftovers();
    this.ctx.updateCoverage();
  }

  /**
   * The periodic check (VERIFY_INTERVAL_MS): reads every live stop back. One the venue no longer
   * holds (cancelled by an operator, lost in maintenance) stops counting as coverage at once and is
   * re-placed; one the venue executed leaves the record waiting for the position to close. A failed
   * read changes nothing: the next check tries again. A move whose cancel failed is tried again, and
   * so are the cancel of a retired position's stop and the first stop of a position opened while its
   * plan could not be read. Closes and take-profits overdue are followed up here too, not only when a
   * price prints: with market data down a refused flatten was never re-sent nor alerted on.
   *
   * At most one check waits behind the one running: a venue slow to answer (read-backs timing out) made
   * each check outlast its interval, and the checks piled up in the serial chain ahead of every price
   * and fill, so the local monitor acted later and later just when the venue was failing.
   */
  verifyLive(): Promise<void> {
    if (this.queuedCheck) return this.queuedCheck;
    const check = this.serial(async () => {
      this.queuedCheck = null;
      await this.checkLive();
    });
    this.queuedCheck = check;
    return check;
  }

  /** One periodic check (verifyLive). */
  private async checkLive(): Promise<void> {
    if (this.closes.closeOverdue()) await this.closes.confirmCloses();
    await this.endFlattenHoldIfExpired();
    await this.entries.retryUnplanned();
    for (const record of [...this.ctx.records.values()]) {
      if (record.closing || !record.clientOrderId || this.flattenHold.held(record)) continue;
      await this.placement.verifyOne(record, record.clientOrderId);
    }
    await this.placement.cancelLeftovers();
  }

  /**
   * Reconciliation found a position whose stop is not resting on the venue: that stop is checked now,
   * not at the next periodic read-back, and re-placed (or its execution followed) within seconds.
   * After a re-placement reconciliation is asked to look again, so the venue is reconciled soon.
   */
  private async onRecon(message: Envelope<ReconEvent>): Promise<void> {
    const event = message.payload;
    if (event.kind !== 'missing_stop' || event.venue !== this.deps.venue.id) return;
    const missing = MissingStopEvidence.safeParse(event.before);
    if (!missing.success) {
      this.deps.metrics.invalid.inc({ subject: 'recon.event' });
      this.deps.log.warn({ before: event.before }, 'missing_stop event without a position id; ignored');
      return;
    }
    const record = this.ctx.records.get(missing.data.positionId);
    if (!record && this.ctx.unplanned.has(missing.data.positionId)) {
      await this.entries.retryUnplanned(missing.data.positionId);
      return;
    }
    if (!record) {
      await this.unheldPosition(missing.data, event.evidence);
      return;
    }
    // A close, the venue's own execution of the stop, a sale of everything or a flatten is under way.
    if (!stopExpected(record) || this.flattenHold.held(record)) return;
    if (
      missing.data.coverage === 'short' &&
      (await this.coverShortStop(record, missing.data, event.evidence))
    )
      return;
    const outcome = await this.recheck(record, 'reconciliation found no stop');
    if (outcome === 'lost' && record.verified)
      await this.ctx.requestRecon(record, `stop re-placed after reconciliation: ${event.evidence}`);
  }

  /**
   * Reconciliation's books hold more than the record's stop covers (a growth whose event was missed or
   * ignored): the stop is moved onto what the books hold. Not while a take-profit sells or a move waits
   * for its cancel: the stop covers less on purpose then, and the sale's outcome sizes it. False when
   * the record already wants all of it: then the venue's stop is the short one, read back and re-placed.
   */
  private async coverShortStop(
    record: StopRecord,
    missing: MissingStopEvidence,
    evidence: string,
  ): Promise<boolean> {
    if (missing.positionQty === undefined || record.takeProfit || record.pendingMove) return false;
    const { stepSize } = await this.deps.venue.marketRules(record.symbol);
    const qty = roundDownToStep(missing.positionQty, stepSize);
    if (qty <= record.qty + stepSize / 2) return false;
    await this.ctx.alert(
      record,
      'stop_qty_short',
      `${record.symbol} ${record.side}: the stop covers ${record.qty} of the ${qty} held (${evidence}); moved onto ${qty}`,
      'warning',
    );
    await this.placement.replace(
      record,
      record.stopPrice,
      qty,
      `reconciliation: ${qty} held, the stop covered ${record.qty}`,
    );
    return true;
  }

  /**
   * Reconciliation found a position no record of ours names. Without its position event there is no
   * entry or side to plan a stop from: the operator is alerted, once per size held (reconciliation
   * reports it every run until a record names it).
   */
  private async unheldPosition(missing: MissingStopEvidence, evidence: string): Promise<void> {
    const { positionId } = missing;
    this.deps.log.warn({ positionId, evidence }, 'missing stop reported for a position we do not hold');
    if (missing.coverage !== 'unrecorded') return;
    const key = `${positionId}:${missing.positionQty ?? '?'}`;
    if (this.unheldAlerted.has(key)) return;
    this.unheldAlerted.add(key);
    const [exchange = this.deps.venue.id, symbol = ''] = positionId.split(':');
    await this.ctx.alert(
      { exchange, symbol, positionId },
      'stop_unrecorded',
      `${positionId}: reconciliation's books hold ${missing.positionQty ?? 'a position'} that no stop record of ours names, so no stop protects it (${evidence}); protect or close it by hand`,
    );
  }

  /** Reads the record's stop back now (re-placed when lost), or places it when it has none. */
  private async recheck(record: StopRecord, why: string): Promise<VerifyOutcome> {
    if (record.clientOrderId) return this.placement.verifyOne(record, record.clientOrderId);
    return (await this.placement.place(record, why)) ? 'lost' : 'error';
  }

  /** True while an approved intent for this market waits for its position (tests wait on it). */
  hasIntent(marketKey: string, intentId?: string): boolean {
    return this.entries.hasIntent(marketKey, intentId);
  }

  /**
   * A position event: a closed position retires its record, a new one is protected, and the stop of
   * an open one follows its size (core positionChange).
   */
  private async onPosition(message: Envelope<PositionEvent>): Promise<void> {
    const position = message.payload;
    if (position.exchange !== this.deps.venue.id) return;
    const record = this.ctx.records.get(position.positionId);
    if (position.status === 'closed' || position.qty <= 0) {
      this.stopHistory.forget(position.positionId);
      await this.entries.forgetUnplanned(position.positionId);
      if (record) await this.placement.retire(record, 'position closed');
      return;
    }
    if (!record) {
      this.stopHistory.forget(position.positionId);
      await this.entries.protect(position, message.correlationId);
      return;
    }
    const rules = await this.deps.venue.marketRules(position.symbol);
    const qty = roundDownToStep(position.qty, rules.stepSize);
    // While a take-profit sells, a growth beside it is remembered for when it settles.
    await this.takeProfits.positionSeen(record, qty, position.intentId);
    // Read against the stop the record wants: a resize still pending counts as made.
    const change = positionChange({ ...record, qty: wantedStop(record).qty }, qty, position.intentId);
    if (change === 'ignored') return;
    if (change === 'below_lot') {
      // The stop or close sold whole lots: nothing more can be sold. A stop still named (its cancel
      // failed before a close of ours) is cancelled, or kept to be cancelled later: on spot it locks the
      // coins of the slot's next position, whose stop the venue would then refuse.
      await this.placement.retire(record, `only ${position.qty} left, below a lot`);
      return;
    }
    if (change === 'closing' && record.closing?.byVenue) {
      // The venue executed the stop: once our books hold its fill, what is left (if any) is closed.
      await this.triggers.onExecutedPosition(record, qty, position.intentId);
      return;
    }
    if (change === 'closing') {
      // A partly filled close: the re-sent close covers what is left.
      record.qty = qty;
      await this.ctx.save(record);
      return;
    }
    record.entry = position.avgEntry;
    if (this.flattenHold.held(record)) {
      // The flatten is selling it: its stop is not moved meanwhile.
      await this.flattenHold.resized(record, qty);
      return;
    }
    if (change === 'shrunk') {
      await this.placement.replace(record, wantedStop(record).stopPrice, qty, `position now ${position.qty}`);
      return;
    }
    // Grown by the fill of an add (the event names its intent) or by another slice of an entry seen.
    const add = this.entries.addOf(record, position.intentId ?? null);
    await this.entries.adopt(record, add, qty, `position now ${position.qty}`);
  }

  /** A trade: its price is checked against stops and take-profits as it prints; stops trail on bars. */
  private async onTrade(message: Envelope<Trade>): Promise<void> {
    const { symbol, price, time } = message.payload;
    this.trades.seen(symbol, time);
    await this.onPrice(symbol, price, message, false, time);
  }

  /**
   * The feed of a symbol (or the whole connection) can no longer vouch for its data: reconnecting,
   * stale, down, repairing a gap. Trades printed meanwhile are lost, so no run of trades spans the moment, however short
   * the outage: the bar's extremes are then checked, as a stop touched only then shows nowhere else.
   */
  private onFeedStatus(message: Envelope<FeedStatus>): void {
    const status = message.payload;
    if (status.exchange !== this.deps.venue.id || status.state === 'live') return;
    this.trades.interrupt(status.symbol, message.eventTime);
  }

  /**
   * A closed bar. Its adverse extreme counts (a bar that touched the stop counts even if it closed above
   * it) unless its trades were seen from open to close without a gap (TradeCoverage): they were checked
   * as they printed, and the extreme may be older than a stop a take-profit moved since. The stop
   * trails at the close of a TRAIL_TIMEFRAME bar only, once per bar as a backtest does, not at every
   * trade (each move is a cancel and a place).
   */
  private async onCandle(message: Envelope<Candle>): Promise<void> {
    const candle = message.payload;
    // The candle is a bar: the ATR reads it and keeps nothing of it, so no copy is made per candle.
    // Bars of one timeframe only: a 4h confirmation bar averaged with 1h bars is no ATR of either.
    const trails = candle.timeframe === this.deps.config.TRAIL_TIMEFRAME;
    const fresh = trails ? this.trailing.trailAtr(candle.symbol).take(candle) : this.bars.take(candle);
    // A bar redelivered (after a restart: read at warm-up, then delivered) or late is past: neither
    // averaged in nor trailed at again, and its low no longer judges a stop that may have moved since.
    if (!fresh) return;
    if (!this.trades.covers(candle.symbol, candle))
      for (const record of this.ctx.records.values()) {
        if (record.symbol !== candle.symbol) continue;
        const extreme = record.side === 'long' ? candle.low : candle.high;
        // Printed before or after a take-profit moved the stop during the bar, nobody knows: an extreme
        // that did not reach the stop in force before the move closes nothing.
        if (!this.stopHistory.crossedSince(record.positionId, record.side, candle.openTime, extreme))
          continue;
        await this.onPrice(candle.symbol, extreme, message, false, candle.closeTime);
      }
    await this.onPrice(candle.symbol, candle.close, message, trails, candle.closeTime);
  }

  /** One printed price: venue-side triggers (paper), take-profits, trailing, then the local monitor. */
  private async onPrice(
    symbol: string,
    price: number,
    cause: Envelope<unknown>,
    trails: boolean,
    /** When it printed (venue time). */
    at: number,
  ): Promise<void> {
    if (this.closes.closeOverdue()) await this.closes.confirmCloses();
    await this.endFlattenHoldIfExpired();
    const triggered = await this.deps.venue.observePrice?.(symbol, price);
    if (triggered) for (const stop of triggered) await this.triggers.onVenueTrigger(stop, price, cause);
    if (!this.follows(symbol)) return;
    for (const record of [...this.ctx.records.values()]) {
      if (record.symbol !== symbol || record.qty <= 0 || record.closing) continue;
      this.stopHistory.note(record.positionId, watchedStop(record), at);
      await this.followPrice(record, price, trails);
      this.stopHistory.note(record.positionId, watchedStop(record), at);
    }
  }

  /** One printed price for one open record: take-profits, trailing, then the local monitor. */
  private async followPrice(record: StopRecord, price: number, trails: boolean): Promise<void> {
    // The kill's flatten sells it: no take-profit, trail or close of ours beside it.
    if (this.flattenHold.held(record)) return;
    // Everything is being sold: the stop neither trails nor is backed up by a second close.
    if (sellingAll(record)) return;
    if (await this.takeProfits.takeProfit(record, price)) return;
    if (trails) await this.trailing.trail(record, price);
    await this.triggers.watch(record, price);
  }

  /** Whether a record of `symbol` follows prices: most prices find none, and then nothing is copied. */
  private follows(symbol: string): boolean {
    for (const r of this.ctx.records.values())
      if (r.symbol === symbol && r.qty > 0 && !r.closing) return true;
    return false;
  }

  /** The orders service's word on our take-profit (and on entries whose intent waits here). */
  private async onOrder(message: Envelope<OrderEvent>): Promise<void> {
    const order = message.payload;
    if (order.exchange !== this.deps.venue.id) return;
    if (order.intentId) await this.entries.onEntryOrder(order.intentId, order);
    await this.takeProfits.onOrder(order);
  }

  /**
   * Acknowledges a kill. Without flatten stops stay live, protecting each position. With flatten the
   * orders service cancels open orders and closes every position: the stops are held meanwhile
   * (FlattenHold), counted unverified, and a position still open after the flatten is alerted on and
   * protected again.
   */
  private async onKill(message: Envelope<KillCommand>): Promise<void> {
    const { flatten } = message.payload;
    const detail = flatten
      ? `orders flattens; ${await this.flattenHold.begin(message.id)} stops held unverified until it reports the flatten, then checked for positions still open`
      : `${this.ctx.records.size} stops stay live: positions remain protected`;
    await this.deps.bus.publish(
      subject(Subjects.controlAck, {}),
      {
        service: SERVICE,
        exchange: this.deps.venue.id,
        command: 'kill',
        commandId: message.id,
        engaged: true,
        detail,
      },
      // Derived from the kill: a redelivered kill (its first ack published, its handling not confirmed)
      // acknowledges under the same id, which the bus de-duplicates.
      { causedBy: message, id: derivedUuid('ack', SERVICE, this.deps.venue.id, message.id) },
    );
  }

  /** A service's acknowledgement: the orders service's report of the flatten ends or times the hold. */
  private async onAck(message: Envelope<ControlAck>): Promise<void> {
    const why = await this.flattenHold.onAck(message.payload);
    if (why) await this.endFlattenHold(why);
  }

  /** Alerts on a flatten not reported in time, and ends a hold that has run out. */
  private async endFlattenHoldIfExpired(): Promise<void> {
    await this.flattenHold.alertUnreported();
    const why = this.flattenHold.expired();
    if (why) await this.endFlattenHold(why);
  }

  /** The flatten is over: each position it left open gets its stop back. */
  private async endFlattenHold(why: string): Promise<void> {
    for (const record of await this.flattenHold.end(why))
      if (stopExpected(record)) await this.recheck(record, `protected again after the flatten: ${why}`);
    this.ctx.updateCoverage();
  }

  /** Open positions and how many have a stop verified on the venue, as the coverage gauge shows. */
  coverage(): { openPositions: number; protectedPositions: number } {
    return this.ctx.coverage();
  }

  /** One position change at a time: prices, fills and kills never interleave on a record. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
