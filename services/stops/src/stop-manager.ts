import type { Bus, Subscription } from '@ballast/bus';
import {
  type Candle,
  type Clock,
  derivedId,
  type Envelope,
  type KillCommand,
  MissingStopEvidence,
  type OrderEvent,
  type OrderIntent,
  type PositionEvent,
  pattern,
  type ReconEvent,
  type RiskDecision,
  type StopEvent,
  Subjects,
  subject,
  type Trade,
} from '@ballast/contracts';
import {
  Atr,
  addedEntry,
  coverageRatio,
  entryOrderSeen,
  entryRefused,
  isAddTo,
  localStopDecision,
  nextTakeProfit,
  planStop,
  roundDownToStep,
  type TakeProfitAction,
  TradeCoverage,
  type TrailConfig,
  takeProfitReached,
  trailStop,
  type VenueStopState,
  verifyStop,
} from '@ballast/core';
import type { ProtectiveStopRepository } from '@ballast/db';
import { type StopOrder, type StopVenue, stopLimitPrice, VenueError } from '@ballast/exchange';
import type { StopsConfig } from './config';
import type { PendingIntentStore } from './pending-intent-store';
import { market, type Opening, opened, PendingIntents } from './pending-intents';
import type { StopMetrics } from './stop-metrics';
import type { StopRecord } from './stop-record';

export interface StopLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Where stop records are kept: the protective_stops table, or memory in a run that never restarts. */
export type StopRecordStore = Pick<ProtectiveStopRepository<StopRecord>, 'save' | 'get' | 'active'>;

export interface StopManagerDeps {
  bus: Bus;
  venue: StopVenue;
  store: StopRecordStore;
  pending: PendingIntentStore;
  metrics: StopMetrics;
  clock: Clock;
  config: StopsConfig;
  log: StopLog;
  sleep: (ms: number) => Promise<void>;
}

const SERVICE = 'stops';
/** How long an approved intent waits for its fill when the config does not say. */
const DEFAULT_PENDING_INTENT_MAX_AGE_MS = 6 * 60 * 60 * 1000;
/** Ids a record awaits as adds: more than a position ever has in flight. */
const MAX_AWAITED_ADDS = 20;

type VerifyOutcome = 'ok' | 'lost' | 'executed' | 'error';

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
  private readonly records = new Map<string, StopRecord>();
  /** Approved intents no position has used yet (stored, reloaded on start): each protects the entry it opens, once. */
  private intents = new PendingIntents();
  private readonly atr = new Map<string, Atr>();
  /** The runs of trades seen: a bar inside one was checked trade by trade. */
  private readonly trades = new TradeCoverage();
  private readonly subs: Subscription[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: StopManagerDeps) {}

  async start(): Promise<void> {
    for (const record of await this.deps.store.active(this.deps.venue.id))
      this.records.set(record.positionId, record);
    this.intents = new PendingIntents(await this.deps.pending.load());
    await this.serial(() => this.reconcile());
    const { bus } = this.deps;
    const durable = (name: string) => `stops-${this.deps.venue.id}-${name}`;
    this.subs.push(
      await bus.subscribe(subject(Subjects.riskDecision, {}), (m) => this.serial(() => this.onDecision(m)), {
        durable: durable('decision'),
      }),
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
      await bus.subscribe(
        pattern(Subjects.candle, { exchange: this.deps.venue.id }),
        (m: Envelope<Candle>) => this.serial(() => this.onCandle(m)),
        { durable: durable('candle') },
      ),
      await bus.subscribe(subject(Subjects.kill, {}), (m) => this.serial(() => this.onKill(m)), {
        durable: durable('kill'),
      }),
      await bus.subscribe(subject(Subjects.reconEvent, {}), (m) => this.serial(() => this.onRecon(m)), {
        durable: durable('recon'),
      }),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.subs) await s.stop();
    await this.serial(async () => undefined);
  }

  /** The record for a position, for tests and the CLI. */
  record(positionId: string): StopRecord | undefined {
    const r = this.records.get(positionId);
    return r ? { ...r } : undefined;
  }

  /** Verifies every active record against the venue and re-places what is missing or wrong. */
  async reconcile(): Promise<void> {
    for (const record of [...this.records.values()]) {
      await this.resumeTakeProfit(record);
      // A close is on its way: the next clock tick re-sends it if the position stays open. A sale of
      // everything whose stop was cancelled for it: its order event (or its timeout) puts the stop back.
      if (record.closing || (sellingAll(record) && !record.clientOrderId)) continue;
      const live = record.clientOrderId
        ? await this.readBack(record.symbol, record.clientOrderId).catch(() => undefined)
        : undefined;
      const check = verifyStop({ side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice }, live);
      if (check.ok) {
        record.verified = true;
        await this.save(record);
        await this.publish(record, 'verified', 'stop found live on the venue at start');
        continue;
      }
      this.deps.log.warn(
        { positionId: record.positionId, reason: check.reason },
        'stop missing on the venue; re-placing',
      );
      record.verified = false;
      await this.replace(record, record.stopPrice, record.qty, `re-placed at start: ${check.detail}`);
    }
    this.updateCoverage();
  }

  /**
   * The periodic check (VERIFY_INTERVAL_MS): reads every live stop back. One the venue no longer
   * holds (cancelled by an operator, lost in maintenance) stops counting as coverage at once and is
   * re-placed; one the venue executed leaves the record waiting for the position to close. A failed
   * read changes nothing: the next check tries again.
   */
  verifyLive(): Promise<void> {
    return this.serial(async () => {
      for (const record of [...this.records.values()]) {
        if (record.closing || !record.clientOrderId) continue;
        await this.verifyOne(record, record.clientOrderId);
      }
    });
  }

  private async verifyOne(record: StopRecord, clientOrderId: string): Promise<VerifyOutcome> {
    const { metrics, log } = this.deps;
    let live: StopOrder | undefined;
    try {
      live = await this.readBack(record.symbol, clientOrderId);
    } catch (err) {
      metrics.verifications.inc({ outcome: 'error' });
      log.warn({ positionId: record.positionId, error: String(err) }, 'stop read-back failed');
      return 'error';
    }
    if (live?.status === 'triggered') {
      metrics.verifications.inc({ outcome: 'executed' });
      // Still unfilled at a periodic check: the price has moved past its limit.
      await this.onStopTriggered(record, live, true);
      return 'executed';
    }
    const check = verifyStop({ side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice }, live);
    if (check.ok) {
      metrics.verifications.inc({ outcome: 'ok' });
      if (record.verified) return 'ok';
      record.verified = true;
      await this.save(record);
      this.updateCoverage();
      return 'ok';
    }
    metrics.verifications.inc({ outcome: 'lost' });
    record.verified = false;
    await this.save(record);
    this.updateCoverage();
    log.error({ positionId: record.positionId, reason: check.reason }, 'live stop lost on the venue');
    await this.alert(
      record,
      'stop_lost',
      `${record.symbol} ${record.side} ${record.qty}: stop ${clientOrderId} no longer live (${check.detail}); re-placing`,
    );
    await this.replace(record, record.stopPrice, record.qty, `re-placed after check: ${check.detail}`);
    return 'lost';
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
    const record = this.records.get(missing.data.positionId);
    if (!record) {
      this.deps.log.warn(
        { positionId: missing.data.positionId },
        'missing stop reported for a position we do not hold',
      );
      return;
    }
    // A close, the venue's own execution of the stop, or a sale of everything is already under way.
    if (record.closing || (sellingAll(record) && !record.clientOrderId)) return;
    const outcome = record.clientOrderId
      ? await this.verifyOne(record, record.clientOrderId)
      : (await this.place(record, 'reconciliation found no stop'))
        ? 'lost'
        : 'error';
    if (outcome === 'lost' && record.verified)
      await this.requestRecon(record, `stop re-placed after reconciliation: ${event.evidence}`);
  }

  /**
   * The venue triggered our stop. Executed in full: the position is closed on the venue, so no close
   * is sent; reconciliation is asked to record the fill, through which our books close the position.
   * Triggered but unfilled because the price went past its limit: the resting limit locks the coins,
   * so it is cancelled first, then what it did not fill is closed at market.
   */
  private async onStopTriggered(
    record: StopRecord,
    stop: StopOrder,
    pastLimit: boolean,
    price?: number,
  ): Promise<void> {
    const filled = stop.filledQty ?? stop.qty;
    if (filled >= stop.qty - 1e-12) {
      await this.publish(record, 'triggered', `venue executed the stop (${stop.venueOrderId})`);
      await this.awaitClosed(record, true);
      await this.requestRecon(record, `stop ${stop.clientOrderId} executed on the venue`);
      return;
    }
    if (!pastLimit) return;
    const cancelled = await this.deps.venue
      .cancelStop(record.symbol, stop.clientOrderId)
      .catch((err: unknown) => {
        this.deps.log.error(
          { positionId: record.positionId, error: String(err) },
          'cannot cancel a stuck stop',
        );
        return undefined;
      });
    if (!cancelled) return;
    const done = cancelled.filledQty ?? filled;
    if (cancelled.status === 'triggered' && done >= cancelled.qty - 1e-12) {
      await this.onStopTriggered(record, cancelled, pastLimit, price);
      return;
    }
    const rules = await this.deps.venue.marketRules(record.symbol);
    const rest = roundDownToStep(record.qty - done, rules.stepSize);
    await this.publish(
      record,
      'triggered',
      `stop ${stop.clientOrderId} triggered but past its limit${price === undefined ? '' : ` at ${price}`} (${done} of ${stop.qty} filled): cancelled, closing ${rest} at market`,
    );
    if (done > 0) await this.requestRecon(record, `stop ${stop.clientOrderId} partly filled`);
    record.qty = rest;
    if (rest > 0) await this.submitClose(record, rest, `gap:${stop.clientOrderId}`, undefined);
    await this.awaitClosed(record, false);
  }

  private async requestRecon(record: StopRecord, why: string): Promise<void> {
    this.deps.log.info({ positionId: record.positionId, why }, 'reconciliation requested');
    await this.deps.bus.publish(subject(Subjects.reconRequest, {}), {
      venue: record.exchange,
      requestedBy: `stops: ${why}`.slice(0, 300),
    });
  }

  /** True while an approved intent for this market waits for its position (tests wait on it). */
  hasIntent(marketKey: string, intentId?: string): boolean {
    return this.intents.has(marketKey, intentId);
  }

  /**
   * Keeps the intent for the entry it opens. Decisions and positions travel on different streams,
   * so a position may open before its decision is read: then the fallback stop protects it and the
   * intent's stop and take-profits are adopted when the decision arrives (and the intent is used up).
   */
  private async onDecision(message: Envelope<RiskDecision>): Promise<void> {
    const decision = message.payload;
    if (!decision.approved || decision.intent.exchange !== this.deps.venue.id) return;
    const { intent } = decision;
    const record = this.records.get(market(intent.exchange, intent.symbol));
    const awaiting = record?.awaiting;
    // An add whose growth was read first (not the opening's own intent, whose slices name it too; not
    // while a take-profit sells: a new stop would lock the coins it sells).
    if (
      record?.awaitingAdds.includes(intent.intentId) &&
      !(awaiting && opened(intent, message.correlationId, { ...awaiting, side: record.side })) &&
      !record.closing &&
      !record.takeProfit &&
      this.addsTo(record, intent)
    ) {
      record.awaitingAdds = record.awaitingAdds.filter((id) => id !== intent.intentId);
      await this.adopt(record, intent, record.qty, 'its decision read after its fill');
      return;
    }
    if (
      !record ||
      !awaiting ||
      record.closing ||
      !opened(intent, message.correlationId, { ...awaiting, side: record.side })
    ) {
      this.intents.add(intent, message.correlationId, this.deps.clock.now());
      await this.saveIntents();
      return;
    }
    const rules = await this.deps.venue.marketRules(record.symbol);
    const plan = planStop({
      positionSide: record.side,
      positionQty: record.qty,
      avgEntry: record.entry,
      intentStop: intent.stop,
      fallbackPct: this.deps.config.FALLBACK_STOP_PCT,
      stepSize: rules.stepSize,
      tickSize: rules.tickSize,
    });
    // Adopted only once persisted: a failure leaves it awaiting, so the redelivered decision adopts it.
    const before = {
      awaiting,
      intentId: record.intentId,
      ladder: record.ladder,
      awaitingAdds: record.awaitingAdds,
    };
    Object.assign(record, {
      awaiting: null,
      intentId: intent.intentId,
      ladder: { levels: intent.takeProfits, taken: 0 },
      // Its slices' growths, read before it, named it: it is the opening, not an add to await.
      awaitingAdds: record.awaitingAdds.filter((id) => id !== intent.intentId),
    });
    try {
      if (plan.ok && plan.stopPrice !== record.stopPrice)
        await this.replace(record, plan.stopPrice, record.qty, `intent ${intent.intentId} stop adopted`);
      else await this.save(record);
    } catch (err) {
      Object.assign(record, before);
      throw err;
    }
  }

  private async onPosition(message: Envelope<PositionEvent>): Promise<void> {
    const position = message.payload;
    if (position.exchange !== this.deps.venue.id) return;
    const record = this.records.get(position.positionId);
    if (position.status === 'closed' || position.qty <= 0) {
      if (record) await this.retire(record, 'position closed');
      return;
    }
    if (!record) {
      await this.protect(position, message.correlationId);
      return;
    }
    const rules = await this.deps.venue.marketRules(position.symbol);
    const qty = roundDownToStep(position.qty, rules.stepSize);
    if (record.closing) {
      // Only dust below a lot is left (the stop or close sold whole lots): nothing more can be sold.
      if (qty <= 0) {
        await this.retire(record, `only ${position.qty} left, below a lot`, false);
        return;
      }
      // Partly filled close: a re-sent close must cover what is left, and no new stop goes out.
      record.qty = qty;
      await this.save(record);
      return;
    }
    // The part a take-profit is selling is not covered: its outcome decides what the stop covers.
    if (record.takeProfit && qty > record.takeProfit.keep) return;
    if (Math.abs(qty - record.qty) <= 1e-12) return;
    // A fill of one of our own closes cannot grow the position: the event is older than what the
    // close's order event already told (a take-profit's first fill read after its last).
    if (qty > record.qty && position.intentId?.startsWith(this.closeIntentId(record, ''))) return;
    record.entry = position.avgEntry;
    if (qty < record.qty) {
      await this.replace(record, record.stopPrice, qty, `position now ${position.qty}`);
      return;
    }
    // Grown by the fill of an add (the event names its intent) or by another slice of an entry seen.
    const add = this.addOf(record, position.intentId ?? null);
    await this.adopt(record, add, qty, `position now ${position.qty}`);
  }

  /**
   * The pending intent of an add whose fill grew the position; null for a slice of the opening, a fill
   * no intent names, or an add whose decision is not read yet (then it is awaited, see onDecision).
   */
  private addOf(record: StopRecord, intentId: string | null): OrderIntent | null {
    if (intentId === null || intentId === record.intentId) return null;
    const pending = this.intents.get(intentId);
    if (!pending) {
      if (!record.awaitingAdds.includes(intentId))
        record.awaitingAdds = [...record.awaitingAdds, intentId].slice(-MAX_AWAITED_ADDS);
      return null;
    }
    return this.addsTo(record, pending.intent) ? pending.intent : null;
  }

  /** Whether an approved intent adds to this record's open position (core isAddTo). */
  private addsTo(record: StopRecord, intent: OrderIntent): boolean {
    return (
      market(intent.exchange, intent.symbol) === market(record.exchange, record.symbol) &&
      isAddTo({ strategy: record.strategy, side: record.side, intentId: record.intentId }, intent)
    );
  }

  /**
   * The stop and ladder after `add` filled (core addedEntry; none: as they are), placed for `qty`. The
   * add's intent is used up only once that is done: a failure leaves it for the redelivery.
   */
  private async adopt(record: StopRecord, add: OrderIntent | null, qty: number, why: string): Promise<void> {
    const { tickSize } = await this.deps.venue.marketRules(record.symbol);
    const { stopPrice, ladder } = add
      ? addedEntry({
          side: record.side,
          currentStop: record.stopPrice,
          ladder: record.ladder,
          intent: add,
          tickSize,
        })
      : record;
    record.ladder = ladder;
    if (stopPrice === record.stopPrice && qty === record.qty) await this.save(record);
    else await this.replace(record, stopPrice, qty, add ? `add ${add.intentId}: ${why}` : why);
    if (add) await this.dropIntent(add.intentId);
  }

  /** First stop for a newly opened position, from the intent that opened it when that was read. */
  private async protect(position: PositionEvent, correlationId: string): Promise<void> {
    const rules = await this.deps.venue.marketRules(position.symbol);
    const opening: Opening = { strategy: position.strategy, side: position.side, correlationId };
    const usable = this.intents.find(market(position.exchange, position.symbol), opening);
    if (usable) await this.dropIntent(usable.intentId);
    const plan = planStop({
      positionSide: position.side,
      positionQty: position.qty,
      avgEntry: position.avgEntry,
      intentStop: usable?.stop ?? null,
      fallbackPct: this.deps.config.FALLBACK_STOP_PCT,
      stepSize: rules.stepSize,
      tickSize: rules.tickSize,
    });
    // A position id names the symbol's position slot and every later position on it reuses it; the
    // ids derived from (position id, seq) must not repeat, or the venue refuses the new stop as a
    // duplicate and the orders service drops the closes as already sent. So seq carries on from
    // the slot's last record.
    const previous = await this.deps.store.get(position.positionId);
    const record: StopRecord = {
      positionId: position.positionId,
      exchange: position.exchange,
      symbol: position.symbol,
      side: position.side,
      stopSide: position.side === 'long' ? 'sell' : 'buy',
      qty: plan.ok ? plan.qty : position.qty,
      entry: position.avgEntry,
      stopPrice: plan.ok ? plan.stopPrice : position.avgEntry,
      clientOrderId: null,
      seq: (previous?.state.seq ?? 0) + 1,
      verified: false,
      intentId: usable?.intentId ?? null,
      strategy: position.strategy,
      awaitingAdds: [],
      awaiting: usable || position.strategy === null ? null : { strategy: position.strategy, correlationId },
      ladder: { levels: usable?.takeProfits ?? [], taken: 0 },
      closing: null,
      takeProfit: null,
    };
    this.records.set(record.positionId, record);
    if (!plan.ok) {
      await this.failAndFlatten(record, `no stop could be planned: ${plan.detail}`);
      return;
    }
    await this.place(record, 'entry fill');
  }

  /** Places the record's stop with retries, reads it back; flattens when that cannot be done. */
  private async place(record: StopRecord, why: string): Promise<boolean> {
    const { config, metrics } = this.deps;
    let lastError = '';
    for (let attempt = 1; attempt <= config.PLACE_ATTEMPTS; attempt++) {
      record.seq += 1;
      const clientOrderId = `${config.CLIENT_ID_PREFIX}s${derivedId(record.positionId, record.seq)}`;
      try {
        await this.deps.venue.placeStop({
          clientOrderId,
          symbol: record.symbol,
          side: record.stopSide,
          qty: record.qty,
          stopPrice: record.stopPrice,
          reduceOnly: this.deps.venue.supportsReduceOnly,
        });
        record.clientOrderId = clientOrderId;
        await this.save(record);
        await this.publish(record, 'placed', why);
        const check = verifyStop(
          { side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice },
          await this.readBack(record.symbol, clientOrderId),
        );
        if (check.ok) {
          record.verified = true;
          await this.save(record);
          metrics.placements.inc({ outcome: 'verified' });
          await this.publish(record, 'verified', 'read back from the venue: open, qty and price match');
          this.updateCoverage();
          return true;
        }
        metrics.placements.inc({ outcome: 'verify_failed' });
        lastError = `read-back: ${check.detail}`;
        await this.deps.venue.cancelStop(record.symbol, clientOrderId).catch(() => undefined);
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        const retryable = err instanceof VenueError && err.retryable;
        this.deps.log.warn(
          { positionId: record.positionId, attempt, error: lastError },
          'stop placement failed',
        );
        if (!retryable) break;
      }
      if (attempt < config.PLACE_ATTEMPTS) {
        metrics.placements.inc({ outcome: 'retried' });
        await this.deps.sleep(config.RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
    record.clientOrderId = null;
    record.verified = false;
    await this.failAndFlatten(record, `stop placement failed: ${lastError}`);
    return false;
  }

  /** Moves the stop: cancel the old order (spot locks the base asset), place the new one. */
  private async replace(record: StopRecord, stopPrice: number, qty: number, why: string): Promise<void> {
    if (record.clientOrderId) {
      const cancelled = await this.deps.venue
        .cancelStop(record.symbol, record.clientOrderId)
        .catch((err: unknown) => {
          this.deps.log.warn(
            { positionId: record.positionId, error: String(err) },
            'cancel before move failed',
          );
          return undefined;
        });
      if (cancelled?.status === 'triggered') return;
    }
    const moved = record.clientOrderId !== null && stopPrice !== record.stopPrice;
    record.stopPrice = stopPrice;
    record.qty = qty;
    record.verified = false;
    if (qty <= 0) {
      await this.retire(record, 'nothing left to protect');
      return;
    }
    if ((await this.place(record, why)) && moved) await this.publish(record, 'moved', why);
  }

  /** A trade: its price is checked against stops and take-profits as it prints; stops trail on bars. */
  private async onTrade(message: Envelope<Trade>): Promise<void> {
    const { symbol, price, time } = message.payload;
    this.trades.seen(symbol, time);
    await this.onPrice(symbol, price, message, false);
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
    let atr = this.atr.get(candle.symbol);
    if (!atr) {
      atr = new Atr(14);
      this.atr.set(candle.symbol, atr);
    }
    // The candle is a bar: the ATR reads it and keeps nothing of it, so no copy is made per candle.
    // Bars of one timeframe only: a 4h confirmation bar averaged with 1h bars is no ATR of either.
    if (candle.timeframe === this.deps.config.TRAIL_TIMEFRAME) atr.push(candle);
    if (!this.trades.covers(candle.symbol, candle))
      for (const record of this.records.values()) {
        if (record.symbol !== candle.symbol) continue;
        await this.onPrice(candle.symbol, record.side === 'long' ? candle.low : candle.high, message, false);
      }
    const trails = candle.timeframe === this.deps.config.TRAIL_TIMEFRAME;
    await this.onPrice(candle.symbol, candle.close, message, trails);
  }

  /** One printed price: venue-side triggers (paper), take-profits, trailing, then the local monitor. */
  private async onPrice(
    symbol: string,
    price: number,
    cause: Envelope<unknown>,
    trails: boolean,
  ): Promise<void> {
    if (this.closeOverdue()) await this.confirmCloses();
    const triggered = await this.deps.venue.observePrice?.(symbol, price);
    if (triggered) for (const stop of triggered) await this.onVenueTrigger(stop, price, cause);
    if (!this.follows(symbol)) return;
    for (const record of [...this.records.values()]) {
      if (record.symbol !== symbol || record.qty <= 0 || record.closing) continue;
      // Everything is being sold: the stop neither trails nor is backed up by a second close.
      if (sellingAll(record)) continue;
      if (await this.takeProfit(record, price)) continue;
      if (trails) await this.trail(record, price);
      await this.watch(record, price);
    }
  }

  /** Whether a record of `symbol` follows prices: most prices find none, and then nothing is copied. */
  private follows(symbol: string): boolean {
    for (const r of this.records.values()) if (r.symbol === symbol && r.qty > 0 && !r.closing) return true;
    return false;
  }

  private async onVenueTrigger(stop: StopOrder, price: number, cause: Envelope<unknown>): Promise<void> {
    const record = [...this.records.values()].find((r) => r.clientOrderId === stop.clientOrderId);
    if (!record || record.closing) return;
    // The paper venue's stop became a market order; the paper account lives in the orders service.
    // A take-profit already selling everything is that order: a second would sell what is not held.
    const selling = sellingAll(record);
    if (!selling) await this.submitClose(record, stop.qty, `trigger:${stop.clientOrderId}`, cause);
    record.verified = false;
    await this.publish(
      record,
      'triggered',
      `venue stop triggered at ${price}${selling ? ' while a take-profit sells the position' : ''}`,
    );
    await this.awaitClosed(record, false);
  }

  /**
   * A full close was sent and the stop is gone: the record stays, unprotected, until the position
   * is reported closed, so a refused or lost close is noticed and re-sent.
   */
  private async awaitClosed(record: StopRecord, byVenue: boolean): Promise<void> {
    record.verified = false;
    record.clientOrderId = null;
    record.closing = { sentAt: this.deps.clock.now(), attempts: 1, byVenue };
    await this.save(record);
    this.updateCoverage();
  }

  /** Whether confirmCloses has anything to do: checked per price, without copying the records. */
  private closeOverdue(): boolean {
    const now = this.deps.clock.now();
    for (const r of this.records.values()) if (this.overdue(r, now)) return true;
    return false;
  }

  /** A close or take-profit sent CLOSE_CONFIRM_MS ago or more and still not confirmed. */
  private overdue(record: StopRecord, now: number): boolean {
    const sentAt = record.closing?.sentAt ?? record.takeProfit?.sentAt;
    return sentAt !== undefined && now - sentAt >= this.deps.config.CLOSE_CONFIRM_MS;
  }

  /**
   * Runs on every clock tick the service sees (trades, candles), so it follows a backtest's virtual
   * clock too. A close still unconfirmed after CLOSE_CONFIRM_MS is re-sent under a new client id
   * (the orders service drops a repeated id); after CLOSE_ATTEMPTS closes only the alert repeats.
   */
  private async confirmCloses(): Promise<void> {
    const { config, clock, log } = this.deps;
    const now = clock.now();
    for (const record of [...this.records.values()]) {
      if (!this.overdue(record, now)) continue;
      const closing = record.closing;
      if (!closing) {
        await this.takeProfitFailed(
          record,
          record.takeProfit?.qty ?? 0,
          `unanswered after ${config.CLOSE_CONFIRM_MS} ms`,
        );
        continue;
      }
      const waited = now - closing.sentAt;
      if (closing.byVenue) {
        await this.awaitRecorded(record, closing, waited);
        continue;
      }
      if (closing.attempts >= config.CLOSE_ATTEMPTS) {
        record.closing = { ...closing, sentAt: now };
        await this.save(record);
        log.error({ positionId: record.positionId, attempts: closing.attempts }, 'position cannot be closed');
        await this.alert(
          record,
          'close_failed',
          `${record.symbol} ${record.side} ${record.qty} cannot be closed: ${closing.attempts} closes sent, position still open, no stop`,
        );
        continue;
      }
      record.seq += 1;
      await this.submitClose(record, record.qty, `close:${record.seq}`, undefined);
      record.closing = { ...closing, sentAt: now, attempts: closing.attempts + 1 };
      await this.save(record);
      log.error(
        { positionId: record.positionId, attempt: record.closing.attempts, waitedMs: waited },
        'close not confirmed; re-sent',
      );
      await this.alert(
        record,
        'close_unconfirmed',
        `${record.symbol} ${record.side} ${record.qty} still open ${waited} ms after its close, no stop: close ${record.closing.attempts} of ${config.CLOSE_ATTEMPTS} sent`,
      );
    }
  }

  /**
   * The venue executed the stop but our books still hold the position: the fill has not been recorded
   * yet. A close would sell coins the account no longer has, so reconciliation is asked again instead.
   */
  private async awaitRecorded(
    record: StopRecord,
    closing: NonNullable<StopRecord['closing']>,
    waited: number,
  ): Promise<void> {
    record.closing = { ...closing, sentAt: this.deps.clock.now(), attempts: closing.attempts + 1 };
    await this.save(record);
    this.deps.log.warn(
      { positionId: record.positionId, waitedMs: waited },
      'executed stop not yet in our books',
    );
    await this.requestRecon(record, `position still open ${waited} ms after the venue executed its stop`);
    if (closing.attempts >= this.deps.config.CLOSE_ATTEMPTS)
      await this.alert(
        record,
        'close_unrecorded',
        `${record.symbol} ${record.side} ${record.qty}: the venue executed the stop ${waited} ms ago and our books still hold the position; reconciliation asked again`,
      );
  }

  private async takeProfit(record: StopRecord, price: number): Promise<boolean> {
    // Checked first: most prices reach no level, and then no rules or ladder input are built. One
    // take-profit at a time: the next level waits until this one filled or was undone.
    if (record.takeProfit || !takeProfitReached(record.side, record.ladder, price)) return false;
    const rules = await this.deps.venue.marketRules(record.symbol);
    const action = nextTakeProfit({
      side: record.side,
      state: record.ladder,
      config: {
        fractions: this.deps.config.TP_FRACTIONS,
        breakevenFeeRate: this.deps.config.BREAKEVEN_FEE_RATE,
      },
      price,
      remainingQty: record.qty,
      entry: record.entry,
      currentStop: record.stopPrice,
      rules,
      // What stays must take the stop the venue will rest: a stop-limit, valued at its limit (a paper
      // stop is a market one; the same offset keeps paper splitting where the live venue would).
      stopOrderPrice: (stop) =>
        stopLimitPrice(
          { side: record.stopSide, stopPrice: stop },
          this.deps.config.STOP_LIMIT_OFFSET_BPS,
          rules.tickSize,
        ),
    });
    if (!action) return false;
    const keep = roundDownToStep(record.qty - action.closeQty, rules.stepSize);
    const purpose = `tp${action.level}:${record.seq}`;
    await this.publish(
      record,
      'take_profit',
      `TP${action.level} at ${action.price}: closing ${action.closeQty}${action.resized ? ` (${action.resized})` : ''}, stop to ${action.newStop} on the ${keep} left`,
    );
    if (action.closeQty <= 0) {
      record.ladder = action.next;
      await this.save(record);
      await this.replace(record, action.newStop, record.qty, `TP${action.level}: stop to breakeven`);
    } else if (keep <= 0) await this.sellAll(record, action.level, purpose);
    else await this.sendTakeProfit(record, action.newStop, { ...action, keep, purpose });
    return true;
  }

  /**
   * The take-profit sells part of the position. A spot stop locks all it covers, so the stop is
   * first moved onto what stays (cancel, place: the only moment without one), then the sale goes
   * out; the ladder moves only once it fills. Each step is saved first: after a restart, one never
   * sent is dropped and one that may have been sent is sent again under the same ids (see reconcile).
   */
  private async sendTakeProfit(
    record: StopRecord,
    newStop: number,
    tp: Pick<TakeProfitAction, 'level' | 'closeQty'> & { keep: number; purpose: string },
  ): Promise<void> {
    record.takeProfit = {
      level: tp.level,
      qty: tp.closeQty,
      keep: tp.keep,
      purpose: tp.purpose,
      sentAt: this.deps.clock.now(),
    };
    await this.save(record);
    await this.replace(record, newStop, tp.keep, `TP${tp.level}: stop to breakeven on what stays`);
    if (Math.abs(record.qty - tp.keep) > 1e-12) {
      // The stop executed on the venue before it could be moved: the position is closing anyway.
      record.takeProfit = null;
      await this.save(record);
      return;
    }
    await this.submitClose(record, tp.closeQty, tp.purpose, undefined);
  }

  /**
   * The last level, or one whose split the venue would refuse (sellableTakeProfit), sells everything.
   * The stop stays until the sale fills: where stops are reduce-only (paper) it rests through it and
   * goes with the position; a spot stop locks the coins, so it is cancelled first (the only moment
   * without one) and, as for any take-profit, put back on the position if the sale is refused or
   * unanswered. A stop that cannot be cancelled keeps the position: the next price tries again.
   */
  private async sellAll(record: StopRecord, level: number, purpose: string): Promise<void> {
    const sentAt = this.deps.clock.now();
    record.takeProfit = { level, qty: record.qty, keep: 0, purpose, sentAt };
    await this.save(record);
    if (!this.deps.venue.supportsReduceOnly && record.clientOrderId) {
      const freed = await this.freeCoins(record, record.clientOrderId);
      if (!freed) {
        record.takeProfit = null;
        await this.save(record);
        return;
      }
    }
    await this.submitClose(record, record.qty, purpose, undefined);
  }

  /**
   * Cancels the stop so a sale can use the coins it locks. False when it is still there, or the
   * venue is executing it (its read-back and the local monitor follow that).
   */
  private async freeCoins(record: StopRecord, clientOrderId: string): Promise<boolean> {
    const cancelled = await this.deps.venue.cancelStop(record.symbol, clientOrderId).then(
      (stop) => stop ?? { status: 'cancelled' as const },
      (err: unknown) => {
        this.deps.log.warn(
          { positionId: record.positionId, error: String(err) },
          'cancel before sale failed',
        );
        return undefined;
      },
    );
    if (cancelled?.status !== 'cancelled' && cancelled?.status !== 'rejected') return false;
    record.clientOrderId = null;
    record.verified = false;
    await this.save(record);
    this.updateCoverage();
    return true;
  }

  /** The orders service's word on our take-profit (and on entries whose intent waits here). */
  private async onOrder(message: Envelope<OrderEvent>): Promise<void> {
    const order = message.payload;
    if (order.exchange !== this.deps.venue.id) return;
    if (order.intentId) await this.onEntryOrder(order.intentId, order);
    const record = this.records.get(market(order.exchange, order.symbol));
    const tp = record?.takeProfit;
    if (!record || !tp || order.intentId !== this.closeIntentId(record, tp.purpose)) return;
    if (order.status === 'filled') {
      record.takeProfit = null;
      record.ladder = { levels: record.ladder.levels, taken: tp.level };
      // All of it sold: the record waits for the position to close, which retires any stop left.
      if (tp.keep === 0) record.closing = { sentAt: this.deps.clock.now(), attempts: 1, byVenue: false };
      await this.save(record);
      this.updateCoverage();
      return;
    }
    if (order.status === 'rejected' || order.status === 'cancelled')
      await this.takeProfitFailed(
        record,
        tp.qty - order.filledQty,
        `${order.status}${order.reason ? ` (${order.reason})` : ''}${order.detail ? `: ${order.detail}` : ''}`,
      );
  }

  /** The take-profit did not sell (all of) its part: the stop covers it again, the ladder stays. */
  private async takeProfitFailed(record: StopRecord, unsold: number, why: string): Promise<void> {
    const tp = record.takeProfit;
    if (!tp) return;
    record.takeProfit = null;
    if (record.closing) {
      // The stop triggered while this sale of everything was out, and the sale was to be the close: it
      // failed, so the close goes now rather than after CLOSE_CONFIRM_MS.
      const rules = await this.deps.venue.marketRules(record.symbol);
      const rest = roundDownToStep(Math.max(0, unsold), rules.stepSize);
      if (tp.keep === 0 && !record.closing.byVenue && rest > 0) {
        // Named after the sale it replaces: unique, and the same if this is redone after a crash.
        await this.submitClose(record, rest, `trigger:${tp.purpose}`, undefined);
        record.closing = { ...record.closing, sentAt: this.deps.clock.now() };
      }
      // Otherwise a close is on its way: the position events that follow size the re-sent close.
      await this.save(record);
      return;
    }
    const rules = await this.deps.venue.marketRules(record.symbol);
    // What the stop still covers: what stays of a partial take-profit, nothing of a whole sale.
    const covered = tp.keep > 0 ? record.qty : 0;
    const qty = roundDownToStep(covered + Math.max(0, unsold), rules.stepSize);
    this.deps.log.warn({ positionId: record.positionId, level: tp.level, why }, 'take-profit not filled');
    await this.alert(
      record,
      'take_profit_failed',
      `${record.symbol} ${record.side}: TP${tp.level} selling ${tp.qty} ${why}; the stop covers ${qty} again`,
      'warning',
    );
    await this.replace(record, record.stopPrice, qty, `TP${tp.level} not filled: stop back on ${qty}`);
  }

  /**
   * After a restart, a take-profit in progress: one whose stop was never moved was never sent and is
   * dropped (the ladder stays); otherwise it is sent again, which the orders service ignores if it
   * already has it, and its order event settles it.
   */
  private async resumeTakeProfit(record: StopRecord): Promise<void> {
    const tp = record.takeProfit;
    if (!tp) return;
    if (!this.takeProfitSent(record, tp)) {
      record.takeProfit = null;
      await this.save(record);
      return;
    }
    record.takeProfit = { ...tp, sentAt: this.deps.clock.now() };
    await this.save(record);
    await this.submitClose(record, tp.qty, tp.purpose, undefined);
  }

  /**
   * Whether a stored take-profit may have gone out: its stop was moved onto what stays, or, for a
   * whole sale, cancelled (or left resting, where stops are reduce-only).
   */
  private takeProfitSent(record: StopRecord, tp: NonNullable<StopRecord['takeProfit']>): boolean {
    if (tp.keep > 0) return record.qty <= tp.keep + 1e-12;
    return this.deps.venue.supportsReduceOnly || record.clientOrderId === null;
  }

  private async trail(record: StopRecord, price: number): Promise<void> {
    if (this.deps.config.TRAIL_MODE === 'off' || !record.clientOrderId) return;
    const config = this.trailConfig();
    const rules = await this.deps.venue.marketRules(record.symbol);
    const atr = this.atr.get(record.symbol)?.value ?? null;
    const next = trailStop(record.side, record.stopPrice, price, config, atr, rules.tickSize);
    if (Math.abs(next - record.stopPrice) < rules.tickSize / 2) return;
    await this.replace(record, next, record.qty, `trailing to ${next} after ${price}`);
  }

  /** The second line of defence: the price went through the stop and the venue did not act. */
  private async watch(record: StopRecord, price: number): Promise<void> {
    if (!(record.side === 'long' ? price <= record.stopPrice : price >= record.stopPrice)) return;
    const { state: venueStop, stop } = await this.venueStop(record);
    if (venueStop === 'triggered' && stop) {
      await this.onStopTriggered(
        record,
        stop,
        stop.limitPrice !== undefined && pastLimit(record, stop.limitPrice, price),
        price,
      );
      return;
    }
    const decision = localStopDecision({
      side: record.side,
      stopPrice: record.stopPrice,
      price,
      graceBps: this.deps.config.LOCAL_GRACE_BPS,
      venueStop,
    });
    if (!decision.close) return;
    if (record.clientOrderId)
      await this.deps.venue.cancelStop(record.symbol, record.clientOrderId).catch(() => undefined);
    await this.submitClose(record, record.qty, `local:${record.seq}`, undefined);
    await this.publish(record, 'triggered', `local monitor: ${decision.reason}`);
    await this.awaitClosed(record, false);
  }

  private async venueStop(record: StopRecord): Promise<{ state: VenueStopState; stop?: StopOrder }> {
    if (!record.clientOrderId) return { state: 'missing' };
    try {
      const stop = await this.readBack(record.symbol, record.clientOrderId);
      if (!stop || stop.status === 'cancelled' || stop.status === 'rejected') return { state: 'missing' };
      return { state: stop.status === 'triggered' ? 'triggered' : 'open', stop };
    } catch {
      return { state: 'unknown' };
    }
  }

  private async failAndFlatten(record: StopRecord, why: string): Promise<void> {
    this.deps.metrics.placements.inc({ outcome: 'failed' });
    this.deps.log.error({ positionId: record.positionId, why }, 'position unprotected: flattening');
    this.updateCoverage();
    await this.publish(record, 'failed', why);
    await this.submitClose(record, record.qty, `flatten:${record.seq}`, undefined);
    await this.publish(record, 'flattened', `reduce-only market close of ${record.qty} sent: ${why}`);
    await this.alert(
      record,
      'stop_placement_failed',
      `${record.symbol} ${record.side} ${record.qty} could not be protected and is being flattened: ${why}`,
    );
    await this.save(record);
  }

  private async alert(
    record: StopRecord,
    kind: string,
    message: string,
    severity: 'warning' | 'critical' = 'critical',
  ): Promise<void> {
    await this.deps.bus.publish(subject(Subjects.alert, {}), {
      severity,
      kind,
      message: message.slice(0, 1000),
      labels: {
        service: SERVICE,
        exchange: record.exchange,
        symbol: record.symbol,
        positionId: record.positionId,
      },
    });
  }

  /** A reduce-only market order through the orders service; the id repeats on redelivery. */
  private async submitClose(
    record: StopRecord,
    qty: number,
    purpose: string,
    cause: Envelope<unknown> | undefined,
  ): Promise<void> {
    const intentId = this.closeIntentId(record, purpose);
    await this.deps.bus.publish(
      subject(Subjects.orderCommand, {}),
      {
        kind: 'submit',
        intentId,
        clientOrderId: `${this.deps.config.CLIENT_ID_PREFIX}x${derivedId(intentId)}`,
        exchange: record.exchange,
        symbol: record.symbol,
        side: record.stopSide,
        type: 'market',
        qty,
        price: null,
        triggerPrice: null,
        reduceOnly: true,
        maxSlippageBps: null,
        execution: { algo: 'direct' },
      },
      cause ? { causedBy: cause } : {},
    );
  }

  private closeIntentId(record: StopRecord, purpose: string): string {
    return `stops:${record.positionId}:${purpose}`;
  }

  /** The position is flat (or being closed): cancel any resting stop and forget the record. */
  private async retire(record: StopRecord, why: string, cancel = true): Promise<void> {
    if (cancel && record.clientOrderId) {
      const cancelled = await this.deps.venue
        .cancelStop(record.symbol, record.clientOrderId)
        .catch(() => undefined);
      if (cancelled) await this.publish(record, 'cancelled', why);
    }
    this.records.delete(record.positionId);
    await this.deps.store.save(record, 'closed', { ...record, verified: false });
    this.updateCoverage();
  }

  private async onKill(message: Envelope<KillCommand>): Promise<void> {
    const { flatten } = message.payload;
    const detail = flatten
      ? `orders flattens; ${this.records.size} stops stay until their positions are flat, then are cancelled`
      : `${this.records.size} stops stay live: positions remain protected`;
    await this.deps.bus.publish(
      subject(Subjects.controlAck, {}),
      { service: SERVICE, command: 'kill', commandId: message.id, engaged: true, detail },
      { causedBy: message },
    );
  }

  private async readBack(symbol: string, clientOrderId: string): Promise<StopOrder | undefined> {
    return this.deps.venue.fetchStop(symbol, clientOrderId);
  }

  private trailConfig(): TrailConfig {
    const { config } = this.deps;
    if (config.TRAIL_MODE === 'percent') return { mode: 'percent', pct: config.TRAIL_PCT };
    if (config.TRAIL_MODE === 'atr') return { mode: 'atr', multiple: config.TRAIL_ATR_MULTIPLE };
    return { mode: 'off' };
  }

  /** Persists the pending intents, first dropping those older than the configured bound. */
  private async saveIntents(): Promise<void> {
    const maxAge = this.deps.config.PENDING_INTENT_MAX_AGE_MS ?? DEFAULT_PENDING_INTENT_MAX_AGE_MS;
    this.intents.expire(this.deps.clock.now() - maxAge);
    await this.deps.pending.save(this.intents.list());
  }

  /**
   * An order of an entry whose intent waits here. The intent is forgotten once the entry is over with
   * nothing filled: its one order refused, or every TWAP slice refused or cancelled (the kill announces
   * those it keeps from the venue cancelled). A slice refused while another filled, or is still to be
   * sent, leaves the intent for the position they open. What the orders came to is stored with it, so
   * a restart between two slices' refusals keeps the first.
   */
  private async onEntryOrder(intentId: string, order: OrderEvent): Promise<void> {
    const pending = this.intents.get(intentId);
    if (!pending) return;
    const orders = entryOrderSeen(pending.orders, order);
    if (orders === pending.orders) return;
    if (!orders.filled) {
      const { stepSize } = await this.deps.venue.marketRules(order.symbol);
      if (entryRefused(orders, { qty: pending.intent.qty, stepSize })) {
        await this.dropIntent(intentId);
        return;
      }
    }
    const next = { ...pending, orders };
    await this.deps.pending.save(this.intents.with(next));
    this.intents.update(next);
  }

  /** Forgets a used or refused intent once stored without it: a failed write leaves it for the redelivery. */
  private async dropIntent(intentId: string): Promise<void> {
    const pending = this.intents.list();
    if (!pending.some((p) => p.intent.intentId === intentId)) return;
    await this.deps.pending.save(pending.filter((p) => p.intent.intentId !== intentId));
    this.intents.remove(intentId);
  }

  private async save(record: StopRecord): Promise<void> {
    await this.deps.store.save(record, 'active', record);
  }

  /** Open positions and how many have a stop verified on the venue, as the coverage gauge shows. */
  coverage(): { openPositions: number; protectedPositions: number } {
    const open = [...this.records.values()].filter((r) => r.qty > 0);
    return { openPositions: open.length, protectedPositions: open.filter((r) => r.verified).length };
  }

  private updateCoverage(): void {
    const { openPositions, protectedPositions } = this.coverage();
    this.deps.metrics.coverage.set(coverageRatio(openPositions, protectedPositions));
  }

  private async publish(record: StopRecord, kind: StopEvent['kind'], detail: string): Promise<void> {
    await this.deps.bus.publish(subject(Subjects.stopEvent, {}), {
      kind,
      positionId: record.positionId,
      exchange: record.exchange,
      symbol: record.symbol,
      stopPrice: record.stopPrice,
      qty: record.qty,
      clientOrderId: record.clientOrderId,
      detail: detail.slice(0, 500),
    });
  }

  /** One position change at a time: prices, fills and kills never interleave on a record. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** A take-profit is selling the whole position: the last level, or a split the venue would refuse. */
function sellingAll(record: StopRecord): boolean {
  return record.takeProfit?.keep === 0;
}

/** True when a printed price is beyond a triggered stop-limit's limit: the limit cannot fill there. */
function pastLimit(record: StopRecord, limitPrice: number, price: number): boolean {
  return record.side === 'long' ? price < limitPrice : price > limitPrice;
}
