import type { Bus, Subscription } from '@ballast/bus';
import {
  type Clock,
  type ControlAck,
  type Envelope,
  type Fill,
  type KillCommand,
  type OrderCommand,
  type OrderEvent,
  type RecordFill,
  type RejectReason,
  type RiskDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import {
  checkSlippage,
  clientOrderId,
  derivedUuid,
  engageKill,
  feeIn,
  type KeptPosition,
  KILL_RELEASED,
  type KillState,
  type NetPosition,
  orderOver,
  planTwap,
  positionHolding,
  releaseKill,
  roundDownToStep,
  smallestOrderQty,
  sumLots,
  type TradableRules,
  type WalkableBook,
} from '@ballast/core';
import type { NewSlice, OrderSlice, OrderSliceRepository, SliceStatus } from '@ballast/db';
import { type OrderVenue, VenueError, type VenueOrder } from '@ballast/exchange';
import type { OrdersConfig } from './config';
import type { KillStore } from './kill-store';
import type { OrderMetrics } from './order-metrics';
import { PositionBook } from './position-book';
import { Serial } from './serial';
import { SlippageBook } from './slippage-book';
import { venueFlat } from './venue-flat';

export interface OrderManagerDeps {
  bus: Bus;
  venue: OrderVenue;
  slices: OrderSliceRepository;
  kill: KillStore;
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

const OPEN_OR_UNKNOWN = ['sending', 'open'] as const;

/** Publish options joining a chain; none for a slice recorded before correlation ids were kept. */
const chainOf = (correlationId: string | null | undefined) => (correlationId ? { correlationId } : {});
/** Orders recorded from reconciliation are never due: they are not ours to send. */
const NEVER_DUE = Number.MAX_SAFE_INTEGER;

/**
 * The order manager. Every order is recorded (planned) before the venue hears of it, under a client
 * order id derived from intent and slice; a loop sends due slices one at a time. After a crash,
 * slices caught mid-send are looked up on the venue by client id before anything is re-sent.
 */
export class OrderManager {
  private readonly serial = new Serial();
  private readonly subs: Subscription[] = [];
  private killState: KillState = KILL_RELEASED;
  private positions = new PositionBook();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickAgain = false;
  private stopped = false;
  private readonly service: string;
  private readonly slippageBook: SlippageBook;
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

  constructor(private readonly deps: OrderManagerDeps) {
    this.service = deps.service ?? 'orders';
    this.slippageBook =
      deps.slippageBook ??
      new SlippageBook({
        venue: deps.venue,
        clock: deps.clock,
        maxAgeMs: deps.config.ORDERS_BOOK_MAX_AGE_MS,
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
    const notLive = this.deps.liveStrategies?.refusal(intent.strategy);
    if (notLive) await this.publishRejection(request, 'strategy_not_live', notLive, message);
    else await this.accept(request, message);
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
   * it) and handed to that pass once its record is durable. Replays add nothing.
   */
  private async accept(request: SubmitRequest, cause: Envelope<unknown>): Promise<void> {
    if (this.killed && !request.reduceOnly) {
      await this.publishRejection(request, 'kill_switch', 'the kill switch is engaged', cause);
      return;
    }
    const rules = await this.deps.venue.marketRules(request.symbol);
    const qty = await this.reducible(request, roundDownToStep(request.qty, rules.stepSize), rules.stepSize);
    if (qty <= 0) {
      const detail = `reduce-only ${request.side} of ${request.symbol}: no position of ours to reduce`;
      await this.publishRejection(request, 'invalid_order', detail, cause);
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
          await this.publishRejection(request, 'slippage', guard.detail, cause);
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
          minSliceQty: smallestOrderQty(rules, request.price ?? (await this.touch(request, qty, book))),
          jitter: this.deps.config.TWAP_JITTER,
          random01: this.deps.random01,
        })
      : [{ index: 0, qty, dueAt: now }];
    const slices: NewSlice[] = pieces.map((p) => ({
      clientOrderId:
        !twap && request.clientOrderId
          ? request.clientOrderId
          : clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, p.index),
      intentId: request.intentId,
      slice: p.index,
      strategy: request.strategy,
      correlationId: cause.correlationId,
      exchange: this.deps.venue.id,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      qty: p.qty,
      price: request.price,
      reduceOnly: request.reduceOnly,
      dueAt: p.dueAt,
    }));
    const direct = twap ? undefined : slices[0];
    const kills = this.kills;
    if (direct) this.sendingDirect.add(direct.clientOrderId);
    else this.loopOwns(Math.min(...slices.map((s) => s.dueAt)));
    let inserted = 0;
    try {
      inserted = await this.deps.slices.plan(slices, direct ? 'sending' : 'planned');
    } finally {
      if (direct && inserted === 0) this.sendingDirect.delete(direct.clientOrderId);
    }
    // Again once durable: a pass that read the table between the claim and the commit saw no slice
    // and reset the due time, so without this the TWAP would wait for the idle read.
    if (!direct) this.loopOwns(Math.min(...slices.map((s) => s.dueAt)));
    if (twap && inserted > 0) this.deps.metrics?.twapPlanned(request.intentId, inserted);
    this.deps.log.info({ intentId: request.intentId, slices: slices.length, inserted }, 'order planned');
    if (inserted < slices.length) await this.reportRepeat(request, slices, inserted);
    if (direct && inserted > 0) this.directQueue.push({ slice: direct, kills });
    else if (direct) await this.serial.run(() => this.resolveReplayed(direct.clientOrderId));
    void this.tick();
  }

  /**
   * A reduce-only order sells (or buys back) at most what our position holds: on spot the venue
   * cannot enforce it, and a close re-sent after the first one filled would sell coins that are no
   * position (held apart, or another account's use). A repeat of a recorded order is left to the
   * replay path, which keeps what its first delivery recorded.
   */
  private async reducible(request: SubmitRequest, qty: number, stepSize: number): Promise<number> {
    if (!request.reduceOnly) return qty;
    const id = request.clientOrderId ?? clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, 0);
    if (await this.deps.slices.get(id)) return qty;
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
   * any venue answer is applied: an order recorded meanwhile waits for no other's bookkeeping. One
   * recorded before a kill came in is aborted, as the kill aborts planned slices; one still queued
   * when the service stops is left planned for the next start.
   */
  private async sendDirect(): Promise<void> {
    const answered: Array<{ slice: OrderSlice; answer: VenueAnswer }> = [];
    try {
      for (let next = this.directQueue.shift(); next; next = this.directQueue.shift()) {
        const slice = recordedSending(next.slice);
        const killedSince = this.kills !== next.kills || (this.killed && !slice.reduceOnly);
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
  private async reportRepeat(
    request: SubmitRequest,
    slices: readonly NewSlice[],
    inserted: number,
  ): Promise<void> {
    this.deps.log.warn(
      { intentId: request.intentId, slices: slices.length, inserted },
      'submit repeats a used client order id; not sent again',
    );
    const [only] = slices;
    if (!request.clientOrderId || slices.length !== 1 || !only) return;
    const recorded = await this.deps.slices.get(only.clientOrderId);
    if (!recorded || (recorded.side === only.side && Math.abs(recorded.qty - only.qty) < 1e-12)) return;
    await this.deps.bus.publish(subject(Subjects.alert, {}), {
      severity: 'warning',
      kind: 'client_order_id_reused',
      message: `client order id ${only.clientOrderId} reused by a ${only.side} ${only.qty} ${only.symbol} submit; recorded order is ${recorded.side} ${recorded.qty}; nothing sent`,
      labels: {
        service: this.service,
        exchange: only.exchange,
        symbol: only.symbol,
        clientOrderId: only.clientOrderId,
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
      });
    } catch (err) {
      this.deps.log.error({ err }, 'order loop failed');
    } finally {
      this.ticking = false;
    }
    if (this.tickAgain) void this.tick();
  }

  /** Sends the slices due by `now` and notes when the next planned one falls due. */
  private async sendDue(now: number): Promise<void> {
    // Lowered again by any plan made while this pass reads.
    this.nextDueAt = Number.POSITIVE_INFINITY;
    const planned = await this.deps.slices.withStatus(['planned']);
    for (const s of planned) if (s.dueAt > now) this.loopOwns(s.dueAt);
    const due = planned.filter((s) => s.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.slice - b.slice);
    for (const slice of due) {
      if (this.stopped || (this.killed && !slice.reduceOnly)) {
        this.loopOwns(slice.dueAt);
        return;
      }
      await this.send(slice);
    }
  }

  /** Marks the slice `sending` first, so a crash mid-send is found and looked up on restart. */
  private async send(slice: OrderSlice): Promise<void> {
    await this.deps.slices.update(slice.clientOrderId, { status: 'sending' });
    await this.settle(slice, await this.deliver(slice));
  }

  /**
   * The venue's answer to a slice recorded `sending`. A retryable failure is retried with backoff, but
   * the failed call may have reached the venue: it is looked up before sending again.
   */
  private async deliver(slice: OrderSlice): Promise<VenueAnswer> {
    this.deps.metrics?.sent(slice.intentId, slice.clientOrderId);
    const { RETRY_ATTEMPTS, RETRY_BASE_MS } = this.deps.config;
    for (let attempt = 0; ; attempt++) {
      try {
        const order = await this.deps.venue.submit({
          clientOrderId: slice.clientOrderId,
          symbol: slice.symbol,
          side: slice.side,
          type: slice.type,
          qty: slice.qty,
          price: slice.price,
          reduceOnly: slice.reduceOnly,
        });
        return { order };
      } catch (err) {
        const error = err instanceof VenueError ? err : new VenueError('unknown', String(err));
        if (!error.retryable || attempt + 1 >= RETRY_ATTEMPTS) return { error };
        const delay = Math.min(10_000, RETRY_BASE_MS * 2 ** attempt) * (0.5 + this.deps.random01() / 2);
        this.deps.log.warn(
          { clientOrderId: slice.clientOrderId, reason: error.reason, delay },
          'retrying order',
        );
        await this.deps.sleep(delay);
        const seen = await this.lookup(slice);
        if (seen) return { order: seen };
      }
    }
  }

  private async settle(slice: OrderSlice, answer: VenueAnswer): Promise<void> {
    if ('order' in answer) await this.applyVenueOrder(slice, answer.order);
    else await this.reject(slice, answer.error);
  }

  private async lookup(slice: OrderSlice): Promise<VenueOrder | undefined> {
    try {
      return await this.deps.venue.fetchByClientId(slice.symbol, slice.clientOrderId);
    } catch (err) {
      this.deps.log.warn({ err, clientOrderId: slice.clientOrderId }, 'order lookup failed');
      return undefined;
    }
  }

  /** After a restart: slices caught mid-send are resolved on the venue before anything is re-sent. */
  private async recover(): Promise<void> {
    for (const slice of await this.deps.slices.withStatus(OPEN_OR_UNKNOWN)) await this.resolveUnknown(slice);
  }

  /** Applies what the venue knows of a slice; one it never heard of, caught `sending`, is planned again. */
  private async resolveUnknown(slice: OrderSlice): Promise<void> {
    const seen = await this.deps.venue.fetchByClientId(slice.symbol, slice.clientOrderId);
    if (seen) await this.applyVenueOrder(slice, seen);
    else if (slice.status === 'sending') {
      await this.deps.slices.update(slice.clientOrderId, { status: 'planned' });
      this.loopOwns(slice.dueAt);
    }
    this.deps.log.info({ clientOrderId: slice.clientOrderId, found: seen !== undefined }, 'recovered order');
  }

  private async refreshOpen(): Promise<void> {
    const open = await this.deps.slices.withStatus(['open']);
    this.mayHaveOpen = open.length > 0;
    for (const slice of open) {
      const seen = await this.lookup(slice);
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
    const reason = toRejectReason(error);
    await this.deps.slices.update(slice.clientOrderId, { status: 'rejected', detail: error.message });
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
      detail: error.message,
    });
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

  private async publishRejection(
    request: SubmitRequest,
    reason: RejectReason,
    detail: string,
    cause: Envelope<unknown>,
  ): Promise<void> {
    const id = request.clientOrderId ?? clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, 0);
    // A redelivered request whose order is recorded is a repeat: it may have filled, and a rejection
    // now would tell risk, stops and the operator otherwise. Its own events stand.
    if (await this.deps.slices.get(id)) {
      this.deps.log.warn({ clientOrderId: id, reason }, 'repeat of a recorded order; not refused');
      return;
    }
    const event: OrderEvent = {
      status: 'rejected',
      intentId: request.intentId,
      clientOrderId: id,
      venueOrderId: null,
      exchange: this.deps.venue.id,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      qty: request.qty,
      filledQty: 0,
      avgPrice: null,
      fill: null,
      reason,
      detail,
    };
    this.deps.metrics?.event(event);
    await this.deps.bus.publish(subject(Subjects.orderEvent, {}), event, {
      causedBy: cause,
      id: derivedUuid('ord', id, 'rejected', reason),
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

  /** Kill: stop sending, abort TWAPs, cancel open orders, flatten when asked; then acknowledge. */
  private async onKill(message: Envelope<KillCommand>): Promise<void> {
    const command = message.payload;
    this.kills++;
    this.killState = engageKill(command, message.id, this.deps.clock.now());
    const { detail, flat } = await this.serial.run(async () => {
      this.deps.log.info({ command }, 'kill switch engaging');
      await this.deps.kill.save(this.killState);
      const planned = await this.deps.slices.withStatus(['planned']);
      const aborted = await this.abortUnsent(planned, `kill switch: ${command.reason}`);
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
  }

  private async onResume(message: Envelope<{ reason: string }>): Promise<void> {
    await this.serial.run(async () => {
      if (this.killed) await this.abortEntriesLeft();
      this.killState = releaseKill(message.id);
      await this.deps.kill.save(this.killState);
    });
    await this.ack('resume', message, false, 'accepting orders again');
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
    for (const slice of slices) {
      await this.publishEvent(slice, `${slice.clientOrderId}|cancelled|`, 'cancelled', {
        status: 'cancelled',
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
        reason: 'kill_switch',
        detail,
      });
      await this.deps.slices.update(slice.clientOrderId, { status: 'aborted', detail });
    }
    return slices.length;
  }

  /**
   * While the kill is engaged no entry waits to be sent: one still planned was recorded before the kill
   * and missed by its abort (planned while the kill came in, found mid-send at a restart, or its abort
   * cut short). Exits stay: the loop sends them during a kill.
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

  private async cancelOpen(why: string): Promise<number> {
    let cancelled = 0;
    const open = await this.deps.venue.openOrders();
    for (const order of open) {
      await this.cancelOne(order.symbol, order.clientOrderId);
      cancelled++;
    }
    this.deps.log.info({ cancelled, why }, 'open orders cancelled');
    return cancelled;
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
    const base = symbol.split('-')[0] ?? symbol;
    const rules = await this.deps.venue.marketRules(symbol);
    const held = position.side === 'long' ? await this.venueHolding(base) : undefined;
    const qty = roundDownToStep(
      held === undefined ? position.qty : Math.min(position.qty, held),
      rules.stepSize,
    );
    if (qty > 0) {
      const intentId = `flatten:${command.id}:${symbol}`;
      const slice: NewSlice = {
        clientOrderId: clientOrderId(this.deps.config.CLIENT_ID_PREFIX, intentId, 0),
        intentId,
        slice: 0,
        strategy: null,
        correlationId: command.correlationId,
        exchange: this.deps.venue.id,
        symbol,
        side: position.side === 'long' ? 'sell' : 'buy',
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

/** What a send came to: the venue's order, or the error that ended the attempts. */
type VenueAnswer = { order: VenueOrder } | { error: VenueError };

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
