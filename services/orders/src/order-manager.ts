import type { Bus, Subscription } from '@ballast/bus';
import {
  type Clock,
  type ControlAck,
  type Envelope,
  type Fill,
  type KillCommand,
  type OrderCommand,
  type OrderEvent,
  type OrderIntent,
  type RecordFill,
  RejectReason,
  type ResumeCommand,
  type RiskDecision,
  Subjects,
  subject,
  symbolAssets,
} from '@ballast/contracts';
import {
  applyControl,
  approvalExpired,
  checkSlippage,
  clientOrderId,
  derivedUuid,
  feeIn,
  type KeptPosition,
  KILL_RELEASED,
  type KillState,
  type NetPosition,
  orderOver,
  orderOwner,
  planTwap,
  positionHolding,
  roundDownToStep,
  smallestSliceQty,
  sumLots,
  type TradableRules,
  type WalkableBook,
} from '@ballast/core';
import type { NewSlice, OrderSlice, OrderSliceRepository, SliceStatus } from '@ballast/db';
import { type OrderVenue, VenueError, type VenueOrder } from '@ballast/exchange';
import { LatestWriter } from '@ballast/service-kit';
import type { OrdersConfig } from './config';
import type { IntentPlans } from './intent-plans';
import type { KillStore } from './kill-store';
import type { OrderMetrics } from './order-metrics';
import { PositionBook } from './position-book';
import { Serial } from './serial';
import { SlippageBook } from './slippage-book';
import { type SliceGuard, TwapPacer } from './twap-pacer';
import { venueFlat } from './venue-flat';

export interface OrderManagerDeps {
  bus: Bus;
  venue: OrderVenue;
  slices: OrderSliceRepository;
  /** Records each intent's plan, or its refusal, once: a later delivery of it adds nothing. */
  intents: IntentPlans;
  kill: Pick<KillStore, 'load' | 'save'>;
  clock: Clock;
  config: OrdersConfig;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
  random01: () => number;
  sleep: (ms: number) => Promise<void>;
  service?: string;
  metrics?: OrderMetrics;
  /** Where the slippage check reads the book; default: the venue's REST book. */
  slippageBook?: SlippageBook;
  /** On a live venue: an approved entry of a strategy not live now is refused (`strategy_not_live`). */
  liveStrategies?: { refusal(strategy: string): string | null };
}

type SubmitRequest = {
  intentId: string;
  strategy: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type: 'market' | 'limit';
  price: number | null;
  reduceOnly: boolean;
  /** null: direct unless the slippage guard routes to TWAP. */
  twap: { slices: number; durationMs: number } | null;
  clientOrderId: string | null;
};

/** Why a request is refused before anything is planned. */
type Refusal = { reason: RejectReason; detail: string };

const OPEN_OR_UNKNOWN = ['sending', 'open'] as const;

/** Publish options joining a chain; none for a slice recorded before correlation ids were kept. */
const chainOf = (correlationId: string | null | undefined) => (correlationId ? { correlationId } : {});
/** Orders recorded from reconciliation are never due: they are not ours to send. */
const NEVER_DUE = Number.MAX_SAFE_INTEGER;

/**
 * The order manager. Every order is recorded (planned) before the venue hears of it, under a client
 * order id derived from intent and slice; a loop sends due slices one at a time. After a crash, or a
 * send that got no answer, the order is looked up on the venue by client id before anything is re-sent.
 */
export class OrderManager {
  private readonly serial = new Serial();
  private readonly subs: Subscription[] = [];
  /** The kill switch as the last kill or resume applied set it; `killWriter` stores it. */
  private killState: KillState = KILL_RELEASED;
  private readonly killWriter: LatestWriter<KillState>;
  private positions = new PositionBook();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickAgain = false;
  private stopped = false;
  private readonly service: string;
  private readonly slippageBook: SlippageBook;
  private readonly pacer: TwapPacer;
  /** Earliest due time of a planned slice the loop owns; it reads the table only once that is reached. */
  private nextDueAt = 0;
  /** Whether an order of ours may rest on the venue: the loop looks open orders up only then. */
  private mayHaveOpen = true;
  /** When the loop last read the table: reconciliation writes it too, so it is read now and then anyway. */
  private lastLookAt = 0;
  /** Direct orders just recorded as `sending`, sent first by the next pass without reading the table. */
  private directQueue: Array<{ slice: NewSlice; kills: number }> = [];
  /** Their client ids until their send is over: a replayed submit must not resolve them as orphans. */
  private readonly sendingDirect = new Set<string>();
  /** Kill commands seen: a direct order recorded before one is not sent (the kill would abort it). */
  private kills = 0;
  /** When slices whose send ended unknown are looked up again (the idle read looks too). */
  private recheckAt = Number.POSITIVE_INFINITY;
  /** Re-checks in a row that left some unknown: the next waits longer. */
  private recheckRound = 0;

  constructor(private readonly deps: OrderManagerDeps) {
    this.service = deps.service ?? 'orders';
    this.slippageBook =
      deps.slippageBook ??
      new SlippageBook({
        venue: deps.venue,
        clock: deps.clock,
        maxAgeMs: deps.config.ORDERS_BOOK_MAX_AGE_MS,
      });
    this.pacer = new TwapPacer({ ...deps, slippageBook: this.slippageBook });
    this.killWriter = new LatestWriter({
      write: (state) => deps.kill.save(state),
      failed: (err, failures) => {
        deps.log.error({ err, failures }, 'kill switch not stored: trying again');
        deps.metrics?.killSaveFailed();
      },
      random01: deps.random01,
    });
  }

  async start(): Promise<void> {
    this.killState = await this.deps.kill.load();
    await this.rebuildPositions();
    await this.serial.run(() => this.recover());
    if (this.killed) await this.serial.run(() => this.abortEntriesLeft());
    const { bus } = this.deps;
    const durable = (what: string) => `${this.service}-${what}`;
    this.subs.push(
      await bus.subscribe(subject(Subjects.kill, {}), (m) => this.onKill(m), { durable: durable('kill') }),
      await bus.subscribe(subject(Subjects.resume, {}), (m) => this.onResume(m), {
        durable: durable('resume'),
      }),
      await bus.subscribe(subject(Subjects.riskDecision, {}), (m) => this.onDecision(m), {
        durable: durable('risk-decision'),
      }),
      await bus.subscribe(subject(Subjects.orderCommand, {}), (m) => this.onCommand(m), {
        durable: durable('order-command'),
      }),
    );
    this.timer = setInterval(() => void this.tick(), this.deps.config.TICK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // A kill or resume still waiting for its write gives up first: its message is delivered again.
    await this.killWriter.stop();
    for (const s of this.subs) await s.stop();
    await this.serial.run(async () => undefined);
  }

  get killed(): boolean {
    return this.killState.engaged;
  }

  private async onDecision(message: Envelope<RiskDecision>): Promise<void> {
    const decision = message.payload;
    if (!decision.approved) return;
    const { intent } = decision;
    if (intent.exchange !== this.deps.venue.id) return;
    const request: SubmitRequest = {
      intentId: intent.intentId,
      strategy: intent.strategy,
      symbol: intent.symbol,
      side: intent.side,
      qty: intent.qty,
      type: 'market',
      price: null,
      reduceOnly: false,
      twap: null,
      clientOrderId: null,
    };
    // Decisions are entries only (exits come as reduce-only commands), so no close is ever held here.
    await this.accept(request, message, this.entryRefusal(intent));
  }

  /** Why an approved entry is not sent: its approval lapsed before it arrived, or its strategy is not live. */
  private entryRefusal(intent: OrderIntent): Refusal | null {
    const late = approvalExpired(intent.expiresAt, this.deps.clock.now());
    if (late) return { reason: 'expired', detail: late };
    const notLive = this.deps.liveStrategies?.refusal(intent.strategy);
    return notLive ? { reason: 'strategy_not_live', detail: notLive } : null;
  }

  private async onCommand(message: Envelope<OrderCommand>): Promise<void> {
    const command = message.payload;
    if (command.kind === 'cancel_all') {
      if (command.exchange === null || command.exchange === this.deps.venue.id)
        await this.serial.run(() => this.cancelOpen('cancel_all command'));
      return;
    }
    if (command.exchange !== this.deps.venue.id) return;
    if (command.kind === 'record_fill') {
      await this.serial.run(() => this.recordFill(command, message.correlationId));
      return;
    }
    if (command.kind === 'cancel') {
      await this.serial.run(() => this.cancelOne(command.symbol, command.clientOrderId));
      return;
    }
    const type = command.type === 'limit' ? 'limit' : 'market';
    await this.accept(
      {
        intentId: command.intentId,
        strategy: null,
        symbol: command.symbol,
        side: command.side,
        qty: command.qty,
        type,
        price: command.price,
        reduceOnly: command.reduceOnly,
        twap: command.execution.algo === 'twap' ? command.execution : null,
        clientOrderId: command.execution.algo === 'direct' ? command.clientOrderId : null,
      },
      message,
    );
  }

  /**
   * Plans an order (one slice, or a TWAP) and records it; a loop pass started here sends it. A direct
   * order is recorded as `sending` (one round trip: the loop, which sends planned slices, never takes
   * it) and handed to that pass once its record is durable. A delivery of an intent already planned or
   * refused is a repeat and adds nothing, whatever the book, the kill or the TWAP settings say now: its
   * plan, or its refusal, finds slice 0 claimed (IntentPlans) and replays what was recorded. Nothing is
   * read first, so a new decision goes out without a round trip to the database it does not need.
   * `refusal`: why an entry is not sent at all (its strategy not live, its approval expired).
   */
  private async accept(
    request: SubmitRequest,
    cause: Envelope<unknown>,
    refusal: Refusal | null = null,
  ): Promise<void> {
    if (refusal) {
      await this.refuse(request, refusal.reason, refusal.detail, cause);
      return;
    }
    if (this.killed && !request.reduceOnly) {
      await this.refuse(request, 'kill_switch', 'the kill switch is engaged', cause);
      return;
    }
    const rules = await this.deps.venue.marketRules(request.symbol);
    const qty = this.reducible(request, roundDownToStep(request.qty, rules.stepSize), rules.stepSize);
    if (qty <= 0) {
      const detail = `reduce-only ${request.side} of ${request.symbol}: no position of ours to reduce`;
      await this.refuse(request, 'invalid_order', detail, cause);
      return;
    }
    let twap = request.twap;
    let book: WalkableBook | undefined;
    if (!twap && request.type === 'market' && !request.reduceOnly) {
      ({ book } = await this.slippageBook.forOrder(request.symbol, request.side, qty));
      this.deps.metrics?.accepted(request.intentId, request.side, qty, book);
      const guard = checkSlippage(book, request.side, qty, this.deps.config.MAX_SLIPPAGE_BPS);
      if (!guard.ok) {
        if (this.deps.config.SLIPPAGE_ACTION === 'reject') {
          await this.refuse(request, 'slippage', guard.detail, cause);
          return;
        }
        twap = { slices: this.deps.config.TWAP_SLICES, durationMs: this.deps.config.TWAP_DURATION_MS };
      }
    }
    const now = this.deps.clock.now();
    const pieces = twap
      ? planTwap({
          totalQty: qty,
          slices: twap.slices,
          durationMs: twap.durationMs,
          startAt: now,
          stepSize: rules.stepSize,
          minSliceQty: smallestSliceQty(rules, request.price ?? (await this.touch(request, qty, book))),
          jitter: this.deps.config.TWAP_JITTER,
          random01: this.deps.random01,
        })
      : [{ index: 0, qty, dueAt: now }];
    const slices = pieces.map((p) =>
      this.sliceOf(request, cause, {
        clientOrderId:
          !twap && request.clientOrderId
            ? request.clientOrderId
            : clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, p.index),
        slice: p.index,
        qty: p.qty,
        dueAt: p.dueAt,
      }),
    );
    const direct = twap ? undefined : slices[0];
    const kills = this.kills;
    if (direct) this.sendingDirect.add(direct.clientOrderId);
    else this.loopOwns(Math.min(...slices.map((s) => s.dueAt)));
    let inserted = 0;
    try {
      inserted = await this.deps.intents.plan(slices, direct ? 'sending' : 'planned');
    } finally {
      if (direct && inserted === 0) this.sendingDirect.delete(direct.clientOrderId);
    }
    // Again once durable: a pass that read the table between the claim and the commit saw no slice
    // and reset the due time, so without this the TWAP would wait for the idle read.
    if (!direct) this.loopOwns(Math.min(...slices.map((s) => s.dueAt)));
    if (twap && inserted > 0) this.deps.metrics?.twapPlanned(request.intentId, inserted);
    if (inserted > 0)
      this.deps.log.info({ intentId: request.intentId, slices: slices.length, inserted }, 'order planned');
    if (direct && inserted > 0) this.directQueue.push({ slice: direct, kills });
    // A concurrent delivery of the same intent claimed it first.
    else if (inserted === 0) await this.replay(request, await this.recordedIntent(request), cause);
    void this.tick();
  }

  /** The intent's slice 0 if any delivery recorded one: under the request's own client id, or derived. */
  private async recordedIntent(request: SubmitRequest): Promise<OrderSlice | undefined> {
    const derived = clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, 0);
    if (request.clientOrderId) {
      const own = await this.deps.slices.get(request.clientOrderId);
      if (own) return own;
    }
    return this.deps.slices.get(derived);
  }

  /** One slice of the request, as recorded: its events join the chain of the message that asked. */
  private sliceOf(
    request: SubmitRequest,
    cause: Envelope<unknown>,
    piece: Pick<NewSlice, 'clientOrderId' | 'slice' | 'qty' | 'dueAt'>,
  ): NewSlice {
    return {
      ...piece,
      intentId: request.intentId,
      strategy: request.strategy,
      correlationId: cause.correlationId,
      exchange: this.deps.venue.id,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      price: request.price,
      reduceOnly: request.reduceOnly,
    };
  }

  /**
   * A delivery of an intent (or a client id) already recorded: what the first delivery recorded stands,
   * and is resolved if that delivery left it mid-send.
   */
  private async replay(
    request: SubmitRequest,
    recorded: OrderSlice | undefined,
    cause: Envelope<unknown>,
  ): Promise<void> {
    await this.reportRepeat(request, recorded);
    if (!recorded) return;
    const refusal = recorded.status === 'rejected' ? refusalOf(recorded.detail) : undefined;
    if (refusal) await this.announceRefusal(recorded, refusal.reason, refusal.detail, cause);
    else await this.serial.run(() => this.resolveReplayed(recorded.clientOrderId));
  }

  /**
   * A reduce-only order sells (or buys back) at most what our position holds: on spot the venue
   * cannot enforce it, and a close re-sent after the first one filled would sell coins that are no
   * position (held apart, or another account's use).
   */
  private reducible(
    request: Pick<SubmitRequest, 'reduceOnly' | 'symbol' | 'side'>,
    qty: number,
    stepSize: number,
  ): number {
    if (!request.reduceOnly) return qty;
    const position = this.positions.position(this.deps.venue.id, request.symbol);
    const reduces = position && position.side === (request.side === 'sell' ? 'long' : 'short');
    return reduces ? Math.min(qty, roundDownToStep(position.qty, stepSize)) : 0;
  }

  /**
   * The best price on the order's side: what a market TWAP slice is worth, for the venue's minimum.
   * 0 (the notional unchecked) when no book can be read: the TWAP is planned rather than redelivered.
   */
  private async touch(request: SubmitRequest, qty: number, read?: WalkableBook): Promise<number> {
    const book =
      read ??
      (await this.slippageBook.forOrder(request.symbol, request.side, qty).then(
        (r) => r.book,
        (err: unknown) => {
          this.deps.log.warn({ err, symbol: request.symbol }, 'no book to price the TWAP minimum');
          return { bids: [], asks: [] };
        },
      ));
    const prices = (request.side === 'buy' ? book.asks : book.bids).map(([price]) => price);
    if (prices.length === 0) return 0;
    return request.side === 'buy' ? Math.min(...prices) : Math.max(...prices);
  }

  /**
   * A replayed direct order: what the first delivery recorded stands. Left `sending` with no send of
   * it under way here (that delivery failed after its insert), it is looked up on the venue first.
   */
  private async resolveReplayed(clientOrderId: string): Promise<void> {
    if (this.sendingDirect.has(clientOrderId)) return;
    const slice = await this.deps.slices.get(clientOrderId);
    if (slice?.status === 'sending') await this.resolveUnknown(slice);
    else if (slice?.status === 'planned') this.loopOwns(slice.dueAt);
  }

  /**
   * Sends the direct orders recorded since the last pass, and those recorded while it sends, before
   * any venue answer is applied: an order recorded meanwhile waits for no other's bookkeeping. An
   * entry recorded before a kill came in is aborted, as the kill aborts planned entries; an exit goes
   * out. One still queued when the service stops is left planned for the next start.
   */
  private async sendDirect(): Promise<void> {
    const answered: Array<{ slice: OrderSlice; answer: VenueAnswer }> = [];
    try {
      for (let next = this.directQueue.shift(); next; next = this.directQueue.shift()) {
        const slice = recordedSending(next.slice);
        const killedSince = !slice.reduceOnly && (this.kills !== next.kills || this.killed);
        if (killedSince || this.stopped) {
          await this.holdBack(slice, killedSince);
          continue;
        }
        try {
          answered.push({ slice, answer: await this.deliver(slice) });
        } catch (err) {
          this.sendingDirect.delete(slice.clientOrderId);
          throw err;
        }
      }
    } finally {
      try {
        for (const { slice, answer } of answered) await this.settle(slice, answer);
      } finally {
        for (const { slice } of answered) this.sendingDirect.delete(slice.clientOrderId);
      }
    }
  }

  private async holdBack(slice: OrderSlice, killed: boolean): Promise<void> {
    try {
      if (killed) await this.abortUnsent([slice], 'kill switch engaged before it was sent');
      else await this.deps.slices.update(slice.clientOrderId, { status: 'planned' });
    } finally {
      this.sendingDirect.delete(slice.clientOrderId);
    }
  }

  /**
   * Whether a slice this manager planned may be due by `now`; false means a pass would send nothing
   * (slices planned by another process are found by the idle read, not here).
   */
  mayHaveDue(now: number): boolean {
    return now >= this.nextDueAt;
  }

  /** A planned slice the loop sends once due. */
  private loopOwns(dueAt: number): void {
    this.nextDueAt = Math.min(this.nextDueAt, dueAt);
  }

  /**
   * A submit whose client ids were already used sends nothing again. A replay is expected; the same
   * id carrying a different side or quantity means two callers collide on one id, which must be seen.
   */
  private async reportRepeat(request: SubmitRequest, recorded: OrderSlice | undefined): Promise<void> {
    this.deps.log.warn(
      { intentId: request.intentId, clientOrderId: recorded?.clientOrderId, status: recorded?.status },
      'submit repeats a used client order id; not sent again',
    );
    const id = request.clientOrderId;
    if (!id || !recorded || recorded.clientOrderId !== id) return;
    const { stepSize } = await this.deps.venue.marketRules(request.symbol);
    const qty = roundDownToStep(request.qty, stepSize);
    if (recorded.side === request.side && Math.abs(recorded.qty - qty) < 1e-12) return;
    await this.deps.bus.publish(subject(Subjects.alert, {}), {
      severity: 'warning',
      kind: 'client_order_id_reused',
      message: `client order id ${id} reused by a ${request.side} ${qty} ${request.symbol} submit; recorded order is ${recorded.side} ${recorded.qty}; nothing sent`,
      labels: {
        service: this.service,
        exchange: this.deps.venue.id,
        symbol: request.symbol,
        clientOrderId: id,
      },
    });
  }

  /**
   * Sends every due slice, one at a time, unless the kill switch is engaged, and follows orders
   * resting on the venue. The table is read only when a slice is due, an order may be open, or
   * LOOP_IDLE_READ_MS has passed (reconciliation writes it too). A call while a pass is running asks
   * for another pass right after it, so a newly planned order does not wait a whole TICK_MS.
   */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.tickAgain = false;
    try {
      await this.serial.run(async () => {
        await this.sendDirect();
        const now = this.deps.clock.now();
        const idle = now - this.lastLookAt >= this.deps.config.LOOP_IDLE_READ_MS;
        if (idle) this.lastLookAt = now;
        if (idle || now >= this.nextDueAt) await this.sendDue(now);
        if (idle || this.mayHaveOpen) await this.refreshOpen();
        if (idle || now >= this.recheckAt) await this.recheckSending();
      });
    } catch (err) {
      this.deps.log.error({ err }, 'order loop failed');
    } finally {
      this.ticking = false;
    }
    if (this.tickAgain) void this.tick();
  }

  /**
   * Sends the slices due by `now`, at most one per intent a pass (a TWAP found late is re-spaced, and a
   * refused slice may have grown the next), each past the slippage guard; notes when the next falls due.
   */
  private async sendDue(now: number): Promise<void> {
    // Lowered again by any plan made while this pass reads.
    this.nextDueAt = Number.POSITIVE_INFINITY;
    const planned = await this.pacer.respace(await this.deps.slices.withStatus(['planned']), now);
    const due = firstPerIntent(
      planned.filter((s) => s.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.slice - b.slice),
    );
    for (const s of planned) if (s.dueAt > now || !due.includes(s)) this.loopOwns(s.dueAt);
    for (const slice of due) {
      if (this.stopped) {
        this.loopOwns(slice.dueAt);
        return;
      }
      // An entry left planned during a kill waits for the resume's abort; the exits after it go out.
      if (this.killed && !slice.reduceOnly) this.loopOwns(slice.dueAt);
      else if (await this.passesGuard(slice, await this.pacer.guard(slice, planned))) await this.send(slice);
    }
  }

  /** A slice the guard holds back is due again later; one held back too often is cancelled, its TWAP too. */
  private async passesGuard(slice: OrderSlice, guard: SliceGuard): Promise<boolean> {
    if (guard.kind === 'wait') this.loopOwns(guard.until);
    if (guard.kind === 'cancel') await this.cancelUnsent(guard.slices, 'slippage', guard.detail);
    if (guard.kind !== 'send')
      this.deps.log.warn({ clientOrderId: slice.clientOrderId, guard }, 'slice not sent');
    return guard.kind === 'send';
  }

  /**
   * Planned slices given up before the venue heard of them, each announced `cancelled` first (so risk
   * frees the room their entry held) and then recorded aborted, as the kill switch's abort does.
   */
  private async cancelUnsent(
    slices: readonly OrderSlice[],
    reason: RejectReason,
    detail: string,
  ): Promise<void> {
    for (const slice of slices) {
      await this.publishEvent(slice, `${slice.clientOrderId}|cancelled|`, 'cancelled', {
        ...eventOf(slice),
        status: 'cancelled',
        reason,
        detail,
      });
      await this.deps.slices.update(slice.clientOrderId, { status: 'aborted', detail });
    }
  }

  /** Marks the slice `sending` first, so a crash mid-send is found and looked up on restart. */
  private async send(planned: OrderSlice): Promise<void> {
    const slice = await this.reducedToPosition(planned);
    if (!slice) return;
    await this.deps.slices.update(slice.clientOrderId, { status: 'sending' });
    await this.settle(slice, await this.deliver(slice));
  }

  /**
   * A reduce-only slice is capped to the position again when it goes out, not only when it was
   * accepted: since then a flatten may have sold the rest under a TWAP exit's later slices, or a later
   * close filled while this one's outcome was unknown. On spot the venue cannot refuse the excess, which
   * would sell coins held apart. Nothing left to reduce: the slice is announced cancelled and aborted, unsent.
   */
  private async reducedToPosition(slice: OrderSlice): Promise<OrderSlice | undefined> {
    if (!slice.reduceOnly) return slice;
    const { stepSize } = await this.deps.venue.marketRules(slice.symbol);
    const qty = this.reducible(slice, slice.qty, stepSize);
    if (qty >= slice.qty) return slice;
    if (qty > 0) {
      await this.deps.slices.update(slice.clientOrderId, { qty });
      return { ...slice, qty };
    }
    const detail = `reduce-only ${slice.side} of ${slice.symbol}: the position it reduced is closed`;
    await this.cancelUnsent([slice], 'invalid_order', detail);
    return undefined;
  }

  /**
   * The venue's answer to a slice recorded `sending`. A retryable failure may still have reached the
   * venue (a reply lost after the order filled), and Binance refuses a repeated client id only while
   * the first order is open: so it is sent again only after a look-up answered that the venue has no
   * such order. A look-up that fails is tried again, never taken for "not there"; when none answers
   * within RETRY_ATTEMPTS waits, the outcome is unknown.
   */
  private async deliver(slice: OrderSlice): Promise<VenueAnswer> {
    this.deps.metrics?.sent(slice.intentId, slice.clientOrderId);
    const waits = { used: 0 };
    for (let sends = 1; ; sends++) {
      const sent = await this.submitOnce(slice);
      if (!(sent instanceof VenueError)) return { order: sent };
      if (!sent.retryable) return { error: sent };
      const after = await this.lookUpAfter(slice, sent, waits);
      if (after) return after;
      // The venue answered it has no such order: sent again, unless that was the last attempt.
      if (sends >= this.deps.config.RETRY_ATTEMPTS) return { error: sent };
    }
  }

  /**
   * Looks a slice up after a failed send until a look-up answers, waiting before each (RETRY_ATTEMPTS
   * waits per delivery): the order found, unknown when none answered, undefined when it is not there.
   */
  private async lookUpAfter(
    slice: OrderSlice,
    failed: VenueError,
    waits: { used: number },
  ): Promise<VenueAnswer | undefined> {
    let last = failed;
    while (waits.used < this.deps.config.RETRY_ATTEMPTS) {
      await this.backOff(slice, last, waits.used++);
      const look = await this.lookup(slice);
      if (!('failed' in look)) return look.seen ? { order: look.seen } : undefined;
      last = look.failed;
    }
    return { unknown: failed };
  }

  /** One submit: the venue's order, or why it failed. */
  private async submitOnce(slice: OrderSlice): Promise<VenueOrder | VenueError> {
    try {
      return await this.deps.venue.submit({
        clientOrderId: slice.clientOrderId,
        symbol: slice.symbol,
        side: slice.side,
        type: slice.type,
        qty: slice.qty,
        price: slice.price,
        reduceOnly: slice.reduceOnly,
      });
    } catch (err) {
      return err instanceof VenueError ? err : new VenueError('unknown', String(err));
    }
  }

  private async backOff(slice: OrderSlice, error: VenueError, attempt: number): Promise<void> {
    const delay =
      Math.min(10_000, this.deps.config.RETRY_BASE_MS * 2 ** attempt) * (0.5 + this.deps.random01() / 2);
    this.deps.log.warn({ clientOrderId: slice.clientOrderId, reason: error.reason, delay }, 'retrying order');
    await this.deps.sleep(delay);
  }

  private async settle(slice: OrderSlice, answer: VenueAnswer): Promise<void> {
    if ('order' in answer) await this.applyVenueOrder(slice, answer.order);
    else if ('error' in answer) await this.reject(slice, answer.error);
    else this.leaveUnknown(slice, answer.unknown);
  }

  /**
   * Neither the venue nor a look-up answered: the order may be filled on the venue, or not there at
   * all. It stays `sending` (no event: neither refused nor filled) for the loop's re-check to resolve.
   */
  private leaveUnknown(slice: OrderSlice, error: VenueError): void {
    this.deps.metrics?.unknownOutcome();
    this.deps.log.error(
      { clientOrderId: slice.clientOrderId, reason: error.reason, detail: error.message },
      'order outcome unknown: left sending until a look-up answers',
    );
    this.recheckAt = Math.min(this.recheckAt, this.deps.clock.now() + this.recheckDelay());
  }

  /** The venue's order under the slice's client id, none (`seen` undefined), or the look-up's failure. */
  private async lookup(
    slice: OrderSlice,
  ): Promise<{ seen: VenueOrder | undefined } | { failed: VenueError }> {
    try {
      return { seen: await this.deps.venue.fetchByClientId(slice.symbol, slice.clientOrderId) };
    } catch (err) {
      this.deps.log.warn({ err, clientOrderId: slice.clientOrderId }, 'order lookup failed');
      return { failed: err instanceof VenueError ? err : new VenueError('unknown', String(err)) };
    }
  }

  /**
   * After a restart: slices caught mid-send are resolved on the venue before anything is re-sent. The
   * service starts even while the venue does not answer (a kill must still be heard): a slice it could
   * not look up stays as it is, `sending` ones for the re-check, `open` ones for the idle read.
   */
  private async recover(): Promise<void> {
    let unknown = 0;
    for (const slice of await this.deps.slices.withStatus(OPEN_OR_UNKNOWN))
      if (!(await this.resolveUnknown(slice))) unknown++;
    if (unknown > 0) this.recheckAt = this.deps.clock.now() + this.recheckDelay();
  }

  /**
   * Applies what the venue knows of a slice; one it never heard of, caught `sending`, is planned again.
   * Whether the venue answered.
   */
  private async resolveUnknown(slice: OrderSlice): Promise<boolean> {
    const look = await this.lookup(slice);
    if ('failed' in look) return false;
    if (look.seen) await this.applyVenueOrder(slice, look.seen);
    else if (slice.status === 'sending') await this.planAgain(slice);
    this.deps.log.info(
      { clientOrderId: slice.clientOrderId, found: look.seen !== undefined },
      'recovered order',
    );
    return true;
  }

  /**
   * Slices left `sending` while the service runs (a send whose outcome stayed unknown) are looked up
   * again: applied when found, planned again (so sent) only when the venue answers it has none, left
   * for the next re-check when the look-up fails. Direct orders whose send is under way are not ours
   * to resolve here. Re-checks back off while look-ups fail, up to LOOP_IDLE_READ_MS apart.
   */
  private async recheckSending(): Promise<void> {
    let unknown = 0;
    for (const slice of await this.deps.slices.withStatus(['sending'])) {
      if (this.sendingDirect.has(slice.clientOrderId)) continue;
      if (!(await this.resolveSending(slice))) unknown++;
    }
    this.recheckRound = unknown > 0 ? this.recheckRound + 1 : 0;
    this.recheckAt = unknown > 0 ? this.deps.clock.now() + this.recheckDelay() : Number.POSITIVE_INFINITY;
  }

  /** Whether a look-up resolved the slice: found (applied) or answered absent (planned again). */
  private async resolveSending(slice: OrderSlice): Promise<boolean> {
    const look = await this.lookup(slice);
    if ('failed' in look) return false;
    if (look.seen) await this.applyVenueOrder(slice, look.seen);
    else await this.planAgain(slice);
    this.deps.log.info(
      { clientOrderId: slice.clientOrderId, found: look.seen !== undefined },
      'order of unknown outcome resolved',
    );
    return true;
  }

  private recheckDelay(): number {
    const { RETRY_BASE_MS, LOOP_IDLE_READ_MS } = this.deps.config;
    return Math.min(LOOP_IDLE_READ_MS, RETRY_BASE_MS * 2 ** Math.min(this.recheckRound, 20));
  }

  /**
   * A slice the venue answered it never saw: the loop sends it (it may be due already). An entry past
   * due by more than UNSENT_ENTRY_MAX_AGE_MS is given up instead, announced cancelled.
   */
  private async planAgain(slice: OrderSlice): Promise<void> {
    const late = this.deps.clock.now() - slice.dueAt;
    const maxAge = this.deps.config.UNSENT_ENTRY_MAX_AGE_MS;
    if (!slice.reduceOnly && late > maxAge) {
      const detail = `entry never reached the venue and is ${late} ms past due (over ${maxAge}): given up, not sent late`;
      await this.cancelUnsent([slice], 'venue_unavailable', detail);
      return;
    }
    await this.deps.slices.update(slice.clientOrderId, { status: 'planned' });
    this.loopOwns(slice.dueAt);
  }

  private async refreshOpen(): Promise<void> {
    const open = await this.deps.slices.withStatus(['open']);
    this.mayHaveOpen = open.length > 0;
    for (const slice of open) {
      const look = await this.lookup(slice);
      const seen = 'seen' in look ? look.seen : undefined;
      if (seen && (seen.status !== 'accepted' || seen.filledQty !== slice.filledQty))
        await this.applyVenueOrder(slice, seen);
    }
  }

  private async applyVenueOrder(slice: OrderSlice, order: VenueOrder): Promise<void> {
    const known = new Set((slice.fills as Fill[]).map((f) => f.tradeId));
    const fresh = order.fills.filter((f) => !known.has(f.tradeId));
    const status: SliceStatus =
      order.status === 'accepted' || order.status === 'partially_filled' ? 'open' : order.status;
    if (status === 'open') this.mayHaveOpen = true;
    const fills = [...(slice.fills as Fill[]), ...fresh];
    await this.deps.slices.update(slice.clientOrderId, {
      status,
      venueOrderId: order.venueOrderId,
      filledQty: order.filledQty,
      avgPrice: order.avgPrice,
      fills,
    });
    const next = { ...slice, status, fills, filledQty: order.filledQty };
    const over = orderOver(status, order.filledQty, slice.qty);
    if (fresh.length === 0) await this.publishOrder(next, order, null);
    if (fresh.length === 0 && over) await this.endExit(slice, fills.at(-1));
    for (const fill of fresh) {
      this.deps.metrics?.filled(slice.intentId, slice.clientOrderId, slice.side, fill);
      await this.publishOrder(next, order, fill);
      await this.foldFill(slice, fill, over && fill === fresh.at(-1));
    }
  }

  /**
   * A fill reconciliation found on the venue, or its position adjustment. This service is the one
   * writer of fills, and every venue answer is applied in the same serial turns, so a trade is
   * counted once (by its venue trade id) whichever path sees it first.
   */
  private async recordFill(command: RecordFill, correlationId: string): Promise<void> {
    // A venue trade is booked once, whichever order reconciliation names: under a second order it
    // would count twice in the position.
    const { exchange, symbol, fill } = command;
    const holder = await this.deps.slices.holderOfTrade(exchange, symbol, fill.tradeId);
    if (holder && holder !== command.clientOrderId) {
      this.deps.log.warn(
        { clientOrderId: command.clientOrderId, holder, tradeId: fill.tradeId, origin: command.origin },
        'fill from reconciliation already booked under another order; not recorded again',
      );
      return;
    }
    const slice =
      (await this.deps.slices.get(command.clientOrderId)) ?? (await this.recordOrder(command, correlationId));
    const known = slice.fills as Fill[];
    if (known.some((f) => f.tradeId === command.fill.tradeId)) return;
    const fills = [...known, command.fill];
    const filledQty = sumLots(fills.map((f) => f.qty));
    const avgPrice = fills.reduce((s, f) => s + f.price * f.qty, 0) / filledQty;
    await this.deps.slices.update(slice.clientOrderId, {
      fills,
      filledQty,
      avgPrice,
      ...(command.venueOrderId ? { venueOrderId: command.venueOrderId } : {}),
    });
    this.deps.log.warn(
      { clientOrderId: slice.clientOrderId, tradeId: command.fill.tradeId, origin: command.origin },
      'fill recorded from reconciliation',
    );
    const status = filledQty >= slice.qty - 1e-12 ? 'filled' : 'partially_filled';
    await this.publishEvent(slice, `${slice.clientOrderId}|${status}|${command.fill.tradeId}`, status, {
      status,
      intentId: slice.intentId,
      clientOrderId: slice.clientOrderId,
      venueOrderId: command.venueOrderId ?? slice.venueOrderId,
      exchange: slice.exchange,
      symbol: slice.symbol,
      side: slice.side,
      type: slice.type,
      qty: Math.max(slice.qty, filledQty),
      filledQty,
      avgPrice,
      fill: command.fill,
      reason: null,
      detail: `reconciliation: ${command.origin}`,
    });
    await this.foldFill(slice, command.fill, orderOver(slice.status, filledQty, slice.qty));
  }

  /** An order we never placed (external, a venue-side stop) or an adjustment, recorded as filled. */
  private async recordOrder(command: RecordFill, correlationId: string): Promise<OrderSlice> {
    const adjustment = command.origin === 'adjustment';
    await this.deps.slices.plan([
      {
        clientOrderId: command.clientOrderId,
        intentId: command.intentId,
        slice: 0,
        strategy: null,
        correlationId,
        exchange: command.exchange,
        symbol: command.symbol,
        side: command.side,
        type: adjustment ? 'market' : 'limit',
        qty: command.fill.qty,
        price: adjustment ? null : command.fill.price,
        reduceOnly: false,
        dueAt: NEVER_DUE,
      },
    ]);
    await this.deps.slices.update(command.clientOrderId, {
      status: 'filled',
      ...(command.venueOrderId ? { venueOrderId: command.venueOrderId } : {}),
      detail: `recorded from reconciliation (${command.origin})`,
    });
    const stored = await this.deps.slices.get(command.clientOrderId);
    if (!stored) throw new Error(`order ${command.clientOrderId} vanished after recording`);
    return stored;
  }

  private async reject(slice: OrderSlice, error: VenueError): Promise<void> {
    const twap = await this.pacer.refused(slice, error);
    if (twap?.action === 'retry') this.loopOwns(this.deps.clock.now());
    if (twap && twap.action !== 'end') return;
    const reason = toRejectReason(error);
    const detail = twap ? `${error.message}; TWAP ended with ${twap.unfilledQty} unfilled` : error.message;
    await this.deps.slices.update(slice.clientOrderId, { status: 'rejected', detail });
    await this.publishEvent(slice, slice.clientOrderId, 'rejected', {
      status: 'rejected',
      intentId: slice.intentId,
      clientOrderId: slice.clientOrderId,
      venueOrderId: null,
      exchange: slice.exchange,
      symbol: slice.symbol,
      side: slice.side,
      type: slice.type,
      qty: slice.qty,
      filledQty: 0,
      avgPrice: null,
      fill: null,
      reason,
      detail,
    });
    if (twap) await this.alertUnfilled(slice, twap.unfilledQty, detail);
  }

  /** A TWAP that ends short: the operator hears how much of it was never filled. */
  private async alertUnfilled(slice: OrderSlice, unfilledQty: number, detail: string): Promise<void> {
    await this.deps.bus.publish(
      subject(Subjects.alert, {}),
      {
        severity: 'warning',
        kind: 'twap_unfilled',
        message: `TWAP ${slice.intentId} ${slice.side} ${slice.symbol} ended with ${unfilledQty} unfilled: ${detail}`,
        labels: {
          service: this.service,
          exchange: slice.exchange,
          symbol: slice.symbol,
          intentId: slice.intentId,
          unfilledQty: String(unfilledQty),
        },
      },
      { id: derivedUuid('alert', 'twap_unfilled', slice.clientOrderId), ...chainOf(slice.correlationId) },
    );
  }

  private async publishOrder(slice: OrderSlice, order: VenueOrder, fill: Fill | null): Promise<void> {
    const status =
      fill && order.status === 'filled' && fill !== order.fills.at(-1) ? 'partially_filled' : order.status;
    await this.publishEvent(slice, `${slice.clientOrderId}|${status}|${fill?.tradeId ?? ''}`, status, {
      status,
      intentId: slice.intentId,
      clientOrderId: slice.clientOrderId,
      venueOrderId: order.venueOrderId,
      exchange: slice.exchange,
      symbol: slice.symbol,
      side: slice.side,
      type: slice.type,
      qty: slice.qty,
      filledQty: order.filledQty,
      avgPrice: order.avgPrice,
      fill,
      reason: null,
      detail: null,
    });
  }

  /** An order's events join the chain of the message that asked for it (the trade's, for a decision). */
  private async publishEvent(
    slice: OrderSlice,
    key: string,
    status: string,
    event: OrderEvent,
  ): Promise<void> {
    this.deps.metrics?.event(event);
    await this.deps.bus.publish(subject(Subjects.orderEvent, {}), event, {
      id: derivedUuid('ord', key, status),
      ...chainOf(slice.correlationId),
    });
  }

  /**
   * Refuses a request before any order is sent. An entry's refusal is recorded first, as its slice 0
   * rejected: a later delivery of it is a repeat, not a second chance once risk has freed its room.
   * One a concurrent delivery recorded first is not refused: it may have filled, and a rejection now
   * would tell risk, stops and the operator otherwise. An exit refused for want of a position is not
   * recorded: sent again once there is one, it must go.
   */
  private async refuse(
    request: SubmitRequest,
    reason: RejectReason,
    detail: string,
    cause: Envelope<unknown>,
  ): Promise<void> {
    const id = request.clientOrderId ?? clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, 0);
    const claim = this.sliceOf(request, cause, {
      clientOrderId: id,
      slice: 0,
      qty: request.qty,
      dueAt: this.deps.clock.now(),
    });
    // An exit is refused unrecorded, unless it repeats one recorded (a close redelivered after it filled
    // finds no position left to reduce: it was that close).
    const refused = request.reduceOnly
      ? !(await this.recordedIntent(request))
      : await this.deps.intents.refuse(claim, refusalDetail(reason, detail));
    if (!refused) {
      await this.replay(request, await this.recordedIntent(request), cause);
      return;
    }
    await this.announceRefusal(
      { ...claim, venueOrderId: null, filledQty: 0, avgPrice: null },
      reason,
      detail,
      cause,
    );
  }

  /**
   * The rejection of a refused request. Published after the refusal is recorded, so a delivery of it
   * again announces it again under the same id (a repeat the stream drops): a crash in between loses
   * no rejection, and risk frees the room at once rather than when the reservation lapses.
   */
  private async announceRefusal(
    slice: Omit<OrderSlice, 'status' | 'fills' | 'detail'>,
    reason: RejectReason,
    detail: string,
    cause: Envelope<unknown>,
  ): Promise<void> {
    const event: OrderEvent = { ...eventOf(slice), status: 'rejected', reason, detail };
    this.deps.metrics?.event(event);
    await this.deps.bus.publish(subject(Subjects.orderEvent, {}), event, {
      causedBy: cause,
      id: derivedUuid('ord', slice.clientOrderId, 'rejected', reason),
    });
  }

  /**
   * Positions are folds over this venue's fills, rebuilt from the recorded slices on start with the
   * verdicts the live fold reached: the last fill of an order that is over may leave dust, judged on
   * the market's rules (read once per market here; the venue caches them).
   */
  private async rebuildPositions(): Promise<void> {
    this.positions = new PositionBook();
    const slices = (await this.deps.slices.all()).filter((s) => s.exchange === this.deps.venue.id);
    const rules = new Map<string, TradableRules | undefined>();
    for (const symbol of new Set(slices.filter((s) => s.fills.length > 0).map((s) => s.symbol)))
      rules.set(symbol, await this.rulesFor(symbol));
    for (const slice of slices) {
      const fills = slice.fills as Fill[];
      const over = orderOver(slice.status, slice.filledQty, slice.qty);
      for (const fill of fills)
        this.positions.fold(slice, fill, over && fill === fills.at(-1) ? rules.get(slice.symbol) : undefined);
    }
  }

  /** The market's rules for a dust verdict; none (no verdict, only an exact 0 closes) when unreadable. */
  private async rulesFor(symbol: string): Promise<TradableRules | undefined> {
    try {
      return await this.deps.venue.marketRules(symbol);
    } catch (err) {
      this.deps.log.warn({ err, symbol }, 'market rules unavailable: a dust remainder does not close');
      return undefined;
    }
  }

  /** Folds a fill of ours and publishes the position; `ended`: the fill is the last its order will have. */
  private async foldFill(slice: OrderSlice, fill: Fill, ended: boolean): Promise<void> {
    const step = this.positions.fold(slice, fill, ended ? await this.rulesFor(slice.symbol) : undefined);
    if (fill.fee > 0 && feeIn(slice.symbol, fill.feeAsset) === 'other')
      // Unpriced here (BNB): the position's fees leave it out rather than add it as quote.
      this.deps.log.warn(
        { clientOrderId: slice.clientOrderId, tradeId: fill.tradeId, fee: fill.fee, feeAsset: fill.feeAsset },
        'fill fee in a third asset: not counted in the position fees',
      );
    // Dust found and left dust: no position was opened, none is closed.
    if (step.status === null) return;
    await this.publishPosition(slice, step.kept, step.status, fill.price, [
      fill.tradeId,
      slice.clientOrderId,
    ]);
  }

  /** An exit order the venue ended after its last fill (cancelled part-filled): what it left may be dust. */
  private async endExit(slice: OrderSlice, last: Fill | undefined): Promise<void> {
    if (!last) return;
    const rules = await this.rulesFor(slice.symbol);
    const kept = rules && this.positions.endExit(slice, rules, last.price);
    if (kept) await this.publishPosition(slice, kept, 'closed', last.price, ['ended', slice.clientOrderId]);
  }

  private async publishPosition(
    slice: OrderSlice,
    kept: KeptPosition,
    status: 'opened' | 'changed' | 'closed',
    price: number,
    idParts: readonly string[],
  ): Promise<void> {
    const owner = this.positions.owner(slice);
    await this.deps.bus.publish(
      subject(Subjects.positionEvent, {}),
      this.positions.event(slice, kept, status, price),
      { id: derivedUuid('pos', ...idParts), ...chainOf(owner?.correlationId) },
    );
  }

  /**
   * Kill: stop sending entries, abort those planned, cancel open orders, flatten when asked; then
   * acknowledge. Exits (reduce-only: a TWAP's later exit slices, a close queued) still go out. The kill
   * is in force at once and stored meanwhile: a store that does not answer delays the record, never the
   * kill. Its message is acknowledged once stored, or once a command given later is applied (whose
   * message then waits), so a restart before then has it delivered again. A kill given before the
   * command in force changes nothing (applyControl).
   */
  private async onKill(message: Envelope<KillCommand>): Promise<void> {
    const command = message.payload;
    const { applied, state } = applyControl(
      this.killState,
      { kind: 'kill', id: message.id, at: message.eventTime, kill: command },
      this.deps.clock.now(),
    );
    if (!applied) return this.ackOutdated('kill', message);
    this.kills++;
    this.killState = state;
    const stored = this.killWriter.set(state);
    // Awaited below; until then a failure of the work in between must not leave it unhandled.
    stored.catch(() => undefined);
    const { detail, flat } = await this.serial.run(async () => {
      this.deps.log.info({ command }, 'kill switch engaging');
      const aborted = await this.abortEntriesLeft();
      const cancelled = await this.cancelOpen(`kill switch: ${command.reason}`);
      const flattened = command.flatten
        ? await this.flatten(message)
        : { text: 'not asked to flatten', flat: null };
      return {
        detail: `aborted ${aborted} planned slices, cancelled ${cancelled} open orders; ${flattened.text}`,
        flat: flattened.flat,
      };
    });
    await this.ack('kill', message, true, detail, flat);
    await stored;
  }

  /** Resume, unless a kill given after it is in force; stored as a kill is. */
  private async onResume(message: Envelope<ResumeCommand>): Promise<void> {
    const command = { kind: 'resume', id: message.id, at: message.eventTime } as const;
    const resumed = await this.serial.run(async () => {
      if (this.killed) await this.abortEntriesLeft();
      // Decided after the abort: a kill may have come in meanwhile.
      const { applied, state } = applyControl(this.killState, command, this.deps.clock.now());
      if (applied) this.killState = state;
      return applied;
    });
    if (!resumed) return this.ackOutdated('resume', message);
    // The switch as it is now: a kill applied since the resume is not overwritten.
    await Promise.all([
      this.killWriter.set(this.killState),
      this.ack('resume', message, false, 'accepting orders again'),
    ]);
  }

  private ackOutdated(command: ControlAck['command'], cause: Envelope<unknown>): Promise<void> {
    const { engaged, commandId } = this.killState;
    return this.ack(
      command,
      cause,
      engaged,
      `not applied: command ${commandId}, given after it, is in force`,
    );
  }

  /**
   * Slices the kill keeps from the venue, each announced `cancelled` (reason kill_switch, what it
   * filled so far) and then recorded aborted: risk frees the room their entry held, at once rather
   * than when its reservation lapses. Announced first, so an abort cut short (a crash, a failed write)
   * leaves the slice planned, or sending, for the next step to finish: the kill redelivered, the start
   * while the kill is engaged, the resume. A repeat carries the same id as the first announcement (and
   * as a venue's cancel of the order would), so it is counted once.
   */
  private async abortUnsent(slices: readonly OrderSlice[], detail: string): Promise<number> {
    await this.cancelUnsent(slices, 'kill_switch', detail);
    return slices.length;
  }

  /**
   * While the kill is engaged no entry waits to be sent: the kill aborts those planned, and one still
   * planned later was recorded before the kill and missed by its abort (planned while the kill came in,
   * found mid-send at a restart, or its abort cut short). Exits stay: the loop sends them during a kill.
   */
  private async abortEntriesLeft(): Promise<number> {
    const planned = await this.deps.slices.withStatus(['planned']);
    const entries = planned.filter((s) => !s.reduceOnly);
    return this.abortUnsent(entries, `kill switch: ${this.killState.reason ?? 'engaged'}`);
  }

  private async ack(
    command: ControlAck['command'],
    cause: Envelope<unknown>,
    engaged: boolean,
    detail: string,
    flat: boolean | null = null,
  ): Promise<void> {
    await this.deps.bus.publish(
      subject(Subjects.controlAck, {}),
      { service: this.service, command, commandId: cause.id, engaged, detail, flat },
      { causedBy: cause, id: derivedUuid('ack', this.service, cause.id) },
    );
  }

  /**
   * Cancels our orders resting on the venue (kill, cancel_all). The venue lists the stops service's
   * protective stops too: they stay, the positions they protect being open (see orderOwner), as do
   * orders not placed under our prefix.
   */
  private async cancelOpen(why: string): Promise<number> {
    const open = await this.deps.venue.openOrders();
    const ours = open.filter((o) => this.ownerOf(o.clientOrderId) === 'orders');
    for (const order of ours) await this.cancelOne(order.symbol, order.clientOrderId);
    this.deps.log.info(
      { cancelled: ours.length, left: open.length - ours.length, why },
      'open orders cancelled',
    );
    return ours.length;
  }

  private ownerOf(clientOrderId: string) {
    return orderOwner(clientOrderId, this.deps.config.CLIENT_ID_PREFIX);
  }

  /**
   * A flatten's close sells (or buys back) what a protective stop of its market holds: on spot the stop
   * locks those coins and the venue refuses the close while it rests. So the stop stays until the close
   * goes out and is cancelled right before it, as the stops service frees the coins for a sale of its
   * own; should the close be refused, the stops service's periodic check puts the stop back.
   */
  private async cancelStopsOf(symbol: string, closeSide: 'buy' | 'sell'): Promise<void> {
    const open = await this.deps.venue.openOrders(symbol);
    for (const stop of open.filter((o) => o.side === closeSide && this.ownerOf(o.clientOrderId) === 'stops'))
      await this.deps.venue.cancel(symbol, stop.clientOrderId);
  }

  private async cancelOne(symbol: string, id: string): Promise<void> {
    const result = await this.deps.venue.cancel(symbol, id);
    const slice = await this.deps.slices.get(id);
    if (slice && result) await this.applyVenueOrder(slice, { ...result, fills: [] });
  }

  /**
   * Closes every position with a reduce-only market order, then confirms flat against the venue's own
   * balances, not only against the local fold of our fills. On spot the base asset held beyond the
   * configured holdings (RECON_BASE_HOLDINGS) is the position: the close sells at most that and at most
   * the position, so coins held apart are never sold, and what is left of it must be dust.
   */
  private async flatten(command: Envelope<KillCommand>): Promise<{ text: string; flat: boolean }> {
    const results: string[] = [];
    let flat = true;
    for (const [symbol, position] of this.positions.open(this.deps.venue.id)) {
      const closed = await this.closePosition(command, symbol, position);
      results.push(`${symbol} ${closed.text}`);
      flat &&= closed.flat;
    }
    return { text: results.length > 0 ? `flatten: ${results.join(', ')}` : 'flatten: no positions', flat };
  }

  private async closePosition(
    command: Envelope<KillCommand>,
    symbol: string,
    position: NetPosition,
  ): Promise<{ text: string; flat: boolean }> {
    const { base } = symbolAssets(symbol);
    const rules = await this.deps.venue.marketRules(symbol);
    const held = position.side === 'long' ? await this.venueHolding(base) : undefined;
    const qty = roundDownToStep(
      held === undefined ? position.qty : Math.min(position.qty, held),
      rules.stepSize,
    );
    if (qty > 0) {
      const side = position.side === 'long' ? 'sell' : 'buy';
      await this.cancelStopsOf(symbol, side);
      const intentId = `flatten:${command.id}:${symbol}`;
      const slice: NewSlice = {
        clientOrderId: clientOrderId(this.deps.config.CLIENT_ID_PREFIX, intentId, 0),
        intentId,
        slice: 0,
        strategy: null,
        correlationId: command.correlationId,
        exchange: this.deps.venue.id,
        symbol,
        side,
        type: 'market',
        qty,
        price: null,
        reduceOnly: true,
        dueAt: this.deps.clock.now(),
      };
      await this.deps.slices.plan([slice]);
      const stored = await this.deps.slices.get(slice.clientOrderId);
      if (stored?.status === 'planned') await this.send(stored);
    }
    if (position.side !== 'long') {
      // A short has no balance to read on a spot venue; only our own fills can say.
      const left = this.positions.position(this.deps.venue.id, symbol)?.qty ?? 0;
      return left < Math.max(rules.minQty, rules.stepSize)
        ? { text: 'flat (local fills)', flat: true }
        : { text: `NOT flat: still short ${left}`, flat: false };
    }
    const residual = await this.venueHolding(base);
    if (residual === undefined)
      return { text: `unverified: the venue's balances could not be read`, flat: false };
    const verdict = venueFlat(residual, rules, position.avgEntry);
    const apart = this.deps.config.RECON_BASE_HOLDINGS?.[base] ?? 0;
    const beyond = apart > 0 ? ` beyond the ${apart} held apart` : '';
    return verdict.flat
      ? { text: `flat (venue ${base} ${residual}${beyond})`, flat: true }
      : { text: `NOT flat: ${verdict.detail} ${base}${beyond}`, flat: false };
  }

  /** What the venue holds of `asset` beyond the holdings that are no position (RECON_BASE_HOLDINGS). */
  private async venueHolding(asset: string): Promise<number | undefined> {
    try {
      return positionHolding(
        await this.deps.venue.balances(),
        this.deps.config.RECON_BASE_HOLDINGS ?? {},
        asset,
      );
    } catch (err) {
      this.deps.log.warn({ err, asset }, 'venue balances unavailable');
      return undefined;
    }
  }
}

/**
 * What a send came to: the venue's order, the error that ended the attempts (the venue refused it, or
 * a look-up answered it has no such order), or no answer at all (it may be on the venue).
 */
type VenueAnswer = { order: VenueOrder } | { error: VenueError } | { unknown: VenueError };

/** Of due slices in send order, the first of each intent: the next pass reads the table again. */
function firstPerIntent(due: readonly OrderSlice[]): OrderSlice[] {
  const seen = new Set<string>();
  return due.filter((s) => !seen.has(s.intentId) && seen.add(s.intentId));
}

/** An order event's fields as a recorded slice gives them. */
function eventOf(
  slice: Omit<OrderSlice, 'status' | 'fills' | 'detail'>,
): Omit<OrderEvent, 'status' | 'reason' | 'detail'> {
  return {
    intentId: slice.intentId,
    clientOrderId: slice.clientOrderId,
    venueOrderId: slice.venueOrderId,
    exchange: slice.exchange,
    symbol: slice.symbol,
    side: slice.side,
    type: slice.type,
    qty: slice.qty,
    filledQty: slice.filledQty,
    avgPrice: slice.avgPrice,
    fill: null,
  };
}

function recordedSending(slice: NewSlice): OrderSlice {
  return {
    ...slice,
    status: 'sending',
    venueOrderId: null,
    filledQty: 0,
    avgPrice: null,
    fills: [],
    detail: null,
  };
}

function toRejectReason(error: VenueError): RejectReason {
  switch (error.reason) {
    case 'insufficient_funds':
    case 'invalid_order':
    case 'min_notional':
    case 'precision':
    case 'rate_limited':
      return error.reason;
    case 'network':
      return 'venue_unavailable';
    default:
      return 'unknown';
  }
}

/** How a refusal is recorded on its slice 0 (`<reason>: <detail>`), so a repeat can announce it again. */
function refusalDetail(reason: RejectReason, detail: string): string {
  return `${reason}: ${detail}`;
}

/** The refusal recorded by refusalDetail, or undefined for a slice the venue rejected (its own words). */
function refusalOf(recorded: string | null): { reason: RejectReason; detail: string } | undefined {
  const at = recorded?.indexOf(': ') ?? -1;
  const reason = RejectReason.safeParse(recorded?.slice(0, at));
  return recorded && at > 0 && reason.success
    ? { reason: reason.data, detail: recorded.slice(at + 2) }
    : undefined;
}
