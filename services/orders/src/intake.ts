import type { Envelope, OrderCommand, OrderIntent, RiskDecision } from '@ballast/contracts';
import {
  approvalExpired,
  checkSlippage,
  clientOrderId,
  closeValuationPrice,
  limitPriceOnTick,
  type MarketRules,
  marketCloseChunks,
  marketOrderCap,
  planTwap,
  roundDownToStep,
  smallestSliceQty,
  twapTooLarge,
  type WalkableBook,
} from '@ballast/core';
import type { NewSlice } from '@ballast/db';
import { VenueError } from '@ballast/exchange';
import type { KillSwitch } from './kill-switch';
import { type OrderContext, OrderPart } from './order-context';
import type { Positions } from './positions';
import type { Refusals } from './refusals';
import { type Refusal, type SubmitRequest, sliceOf } from './submit-request';

/** An `ord.cmd` submit. */
type SubmitCommand = Extract<OrderCommand, { kind: 'submit' }>;

/** How an order goes: direct (twap null) or as a TWAP, and the book the slippage guard read, if any. */
type Route = { twap: SubmitRequest['twap']; book: WalkableBook | undefined };

/**
 * Orders asked for (approved risk decisions, `ord.cmd` submits) planned and recorded: refused before
 * anything is planned when they may not go, routed to a TWAP when the book would slip too far, split
 * into slices under client ids derived from the intent, and handed to the send loop.
 */
export class Intake extends OrderPart {
  constructor(
    ctx: OrderContext,
    private readonly positions: Positions,
    private readonly killSwitch: Pick<KillSwitch, 'killed' | 'kills'>,
    private readonly refusals: Refusals,
    /** Starts a loop pass through the manager's `tick`, which the backtest wraps to see every pass. */
    private readonly tick: () => Promise<void>,
  ) {
    super(ctx);
  }

  async onDecision(message: Envelope<RiskDecision>): Promise<void> {
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
      ...(intent.expiresAt !== undefined ? { expiresAt: intent.expiresAt } : {}),
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

  async onSubmit(command: SubmitCommand, message: Envelope<OrderCommand>): Promise<void> {
    const type = command.type === 'limit' ? 'limit' : 'market';
    const request: SubmitRequest = {
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
    };
    await this.accept(request, message, this.commandRefusal(request));
  }

  /**
   * On a live venue an `ord.cmd` submit may only reduce (stops' exits, the kill's flatten): an order
   * that opens or adds to a position goes out only as an approved risk decision of a live strategy,
   * so a command published by anything else on the bus moves no real money past risk and the gate.
   */
  private commandRefusal(request: SubmitRequest): Refusal | null {
    // ccxt would send Binance qty × price as a quote amount (quoteOrderQty): another quantity of coin.
    if (request.type === 'market' && request.price !== null)
      return {
        reason: 'invalid_order',
        detail: 'a market order carries no price: send a limit order to cap it',
      };
    // The paper venue took a limit without a price for a market order, past the slippage guard.
    if (request.type === 'limit' && request.price === null)
      return { reason: 'invalid_order', detail: 'a limit order needs a price' };
    if (request.reduceOnly || !this.deps.liveStrategies) return null;
    const detail =
      'an ord.cmd submit that is not reduce-only: on a live venue entries go out only as approved risk decisions';
    return { reason: 'strategy_not_live', detail };
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
      await this.refusals.refuse(request, refusal.reason, refusal.detail, cause);
      return;
    }
    if (this.killSwitch.killed && !request.reduceOnly) {
      await this.refusals.refuse(request, 'kill_switch', 'the kill switch is engaged', cause);
      return;
    }
    const rules = await this.rulesOrRefuse(request, cause);
    if (!rules) return;
    const order = onTick(request, rules);
    if (order.price !== null && !(order.price > 0)) {
      const detail = `limit price ${request.price} is under the tick ${rules.tickSize}`;
      await this.refusals.refuse(order, 'invalid_order', detail, cause);
      return;
    }
    const onStep = roundDownToStep(order.qty, rules.stepSize);
    const qty = this.positions.reducible(order, onStep, rules.stepSize);
    if (qty <= 0) {
      // Below one lot step it is no order at all, whatever the position: said so, not taken for a close
      // with nothing to reduce (an entry of 0.000004 BTC was refused as a reduce-only buy).
      const detail =
        onStep <= 0
          ? `quantity ${order.qty} is under the lot step ${rules.stepSize} of ${order.symbol}`
          : `reduce-only ${order.side} of ${order.symbol}: no position of ours to reduce`;
      await this.refusals.refuse(order, 'invalid_order', detail, cause);
      return;
    }
    const route = await this.route(order, qty, rules, cause);
    if (!route) return;
    const slices = await this.slicesOf(order, cause, qty, rules, route);
    if ('reason' in slices) {
      await this.refusals.refuse(order, slices.reason, slices.detail, cause);
      return;
    }
    await this.record(order, cause, slices, route.twap);
    void this.tick();
  }

  /**
   * The market's rules, or undefined once the order is refused because the venue has no such market (an
   * unknown or delisted symbol: a ccxt BadSymbol is `invalid_order`). Thrown, that answer failed the
   * message at every delivery until it was dead-lettered, and nothing said the order would never go: risk
   * held its room until the reservation lapsed, and stops re-sent its close. A failure worth retrying
   * (network, rate limit) still fails the message, so it is delivered again.
   */
  private async rulesOrRefuse(
    request: SubmitRequest,
    cause: Envelope<unknown>,
  ): Promise<MarketRules | undefined> {
    try {
      return await this.deps.venue.marketRules(request.symbol);
    } catch (err) {
      if (!(err instanceof VenueError) || err.retryable) throw err;
      const detail = `no market ${request.symbol} on ${this.deps.venue.id}: ${err.message}`;
      await this.refusals.refuse(request, 'invalid_order', detail, cause);
      return undefined;
    }
  }

  /**
   * How the order goes: as asked, unless a direct market entry would slip more than MAX_SLIPPAGE_BPS
   * on the book now, or is above the venue's largest market order (refused whole); then it goes as a
   * TWAP (planned within that maximum), or is refused (SLIPPAGE_ACTION) and undefined is returned.
   */
  private async route(
    request: SubmitRequest,
    qty: number,
    rules: MarketRules,
    cause: Envelope<unknown>,
  ): Promise<Route | undefined> {
    const twap = request.twap;
    if (twap || request.type !== 'market' || request.reduceOnly) return { twap, book: undefined };
    const { book } = await this.ctx.slippageBook.forOrder(request.symbol, request.side, qty);
    this.deps.metrics?.accepted(request.intentId, request.side, qty, book);
    const guard = checkSlippage(book, request.side, qty, this.deps.config.MAX_SLIPPAGE_BPS);
    const why: Refusal | null = guard.ok
      ? aboveMarketCap(qty, rules, touchOf(request, book))
      : { reason: 'slippage', detail: guard.detail };
    if (why === null) return { twap, book };
    if (this.deps.config.SLIPPAGE_ACTION === 'reject') {
      await this.refusals.refuse(request, why.reason, why.detail, cause);
      return undefined;
    }
    return {
      twap: { slices: this.deps.config.TWAP_SLICES, durationMs: this.deps.config.TWAP_DURATION_MS },
      book,
    };
  }

  /**
   * The slices the order is planned as: one due now, or a TWAP's (core planTwap); a market close above
   * the venue's market maximum, refused whole, as chunks within it all due now (core marketCloseChunks).
   * A TWAP the market maximum would split into more than MAX_TWAP_SLICES is refused (invalid_order).
   */
  private async slicesOf(
    request: SubmitRequest,
    cause: Envelope<unknown>,
    qty: number,
    rules: MarketRules,
    { twap, book }: Route,
  ): Promise<NewSlice[] | Refusal> {
    const now = this.deps.clock.now();
    const price = twap ? (request.price ?? (await this.touch(request, qty, book))) : 0;
    const maxSliceQty = twap ? sliceCap(request, rules, price) : undefined;
    const tooLarge = twap ? twapTooLarge(qty, maxSliceQty, rules.stepSize) : null;
    if (tooLarge) return { reason: 'invalid_order', detail: tooLarge };
    const pieces = twap
      ? planTwap({
          totalQty: qty,
          slices: twap.slices,
          durationMs: twap.durationMs,
          startAt: now,
          stepSize: rules.stepSize,
          minSliceQty: smallestSliceQty(rules, price),
          maxSliceQty,
          jitter: this.deps.config.TWAP_JITTER,
          random01: this.deps.random01,
        })
      : this.closeChunks(request, qty, rules).map((q, index) => ({
          index,
          qty: q,
          dueAt: now,
        }));
    // An entry TWAP keeps the touch it was accepted at: its slices stop once the price moved beyond
    // MAX_SLIPPAGE_BPS from it (TwapPacer.guard), risk having sized the entry on about that price.
    const acceptedTouch =
      twap && request.type === 'market' && !request.reduceOnly && price > 0 ? price : null;
    return pieces.map((p) =>
      sliceOf(request, cause, this.deps.venue.id, {
        acceptedTouch,
        clientOrderId:
          !twap && request.clientOrderId && p.index === 0
            ? request.clientOrderId
            : clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, p.index),
        slice: p.index,
        qty: p.qty,
        dueAt: p.dueAt,
      }),
    );
  }

  /**
   * A direct order's quantities: the order whole, unless it is a market close above the venue's market
   * maximum (the stops service's closes, a strategy's exit), which would be refused and leave the
   * position open. Its chunks keep the first under the command's client id, the rest under ids derived
   * from the intent, so a repeat of the command plans and sends nothing more. A close is valued against
   * the maximum notional without reading a book (core closeValuationPrice: the fresh streamed touch,
   * else the position's entry raised generously): a stop's close never waits on a REST snapshot.
   */
  private closeChunks(request: SubmitRequest, qty: number, rules: MarketRules): number[] {
    if (request.type !== 'market' || !request.reduceOnly) return [qty];
    const price =
      rules.maxNotional === undefined
        ? 0
        : closeValuationPrice(
            this.ctx.slippageBook.streamedTouch(request.symbol, request.side),
            this.positions.book.position(this.deps.venue.id, request.symbol)?.avgEntry,
          );
    return marketCloseChunks(qty, rules, price);
  }

  /**
   * Records the slices (IntentPlans claims the intent) and hands them on: a direct order to the next
   * pass's queue, a TWAP or a close in chunks to the loop. None recorded: a repeat, which replays what was recorded first.
   */
  private async record(
    request: SubmitRequest,
    cause: Envelope<unknown>,
    slices: NewSlice[],
    twap: Route['twap'],
  ): Promise<void> {
    const direct = !twap && slices.length === 1 ? slices[0] : undefined;
    const kills = this.killSwitch.kills;
    if (direct) this.ctx.sendingDirect.add(direct.clientOrderId);
    else this.ctx.loopOwns(Math.min(...slices.map((s) => s.dueAt)));
    let inserted = 0;
    try {
      inserted = await this.deps.intents.plan(slices, direct ? 'sending' : 'planned');
    } finally {
      if (direct && inserted === 0) this.ctx.sendingDirect.delete(direct.clientOrderId);
    }
    // Again once durable: a pass that read the table between the claim and the commit saw no slice
    // and reset the due time, so without this the TWAP would wait for the idle read.
    if (!direct) this.ctx.loopOwns(Math.min(...slices.map((s) => s.dueAt)));
    if (twap && inserted > 0) this.deps.metrics?.twapPlanned(request.intentId, inserted);
    if (inserted > 0)
      this.deps.log.info({ intentId: request.intentId, slices: slices.length, inserted }, 'order planned');
    if (direct && inserted > 0) this.ctx.directQueue.push({ slice: direct, kills });
    // A concurrent delivery of the same intent claimed it first.
    else if (inserted === 0)
      await this.refusals.replay(request, await this.refusals.recordedIntent(request), cause);
  }

  /**
   * The best price on the order's side: what a market TWAP slice is worth, for the venue's minimum.
   * 0 (the notional unchecked) when no book can be read: the TWAP is planned rather than redelivered.
   */
  private async touch(request: SubmitRequest, qty: number, read?: WalkableBook): Promise<number> {
    const book =
      read ??
      (await this.ctx.slippageBook.forOrder(request.symbol, request.side, qty).then(
        (r) => r.book,
        (err: unknown) => {
          this.deps.log.warn({ err, symbol: request.symbol }, 'no book to price the TWAP minimum');
          return { bids: [], asks: [] };
        },
      ));
    return touchOf(request, book);
  }
}

/**
 * The request with its limit price on the tick, on its passive side (core limitPriceOnTick): ccxt
 * rounds an off-tick price to the nearest tick, half the time beyond the limit, and paper refused it.
 */
function onTick(request: SubmitRequest, rules: MarketRules): SubmitRequest {
  if (request.type !== 'limit' || request.price === null) return request;
  return { ...request, price: limitPriceOnTick(request.side, request.price, rules.tickSize) };
}

/** The best price on the order's side of `book`; 0 when that side is empty. */
function touchOf(request: Pick<SubmitRequest, 'side'>, book: WalkableBook): number {
  const prices = (request.side === 'buy' ? book.asks : book.bids).map(([price]) => price);
  if (prices.length === 0) return 0;
  return request.side === 'buy' ? Math.min(...prices) : Math.max(...prices);
}

/**
 * The largest TWAP slice the venue takes (core marketOrderCap) at `price`: a market slice's
 * MARKET_LOT_SIZE too, a limit slice only LOT_SIZE and the maximum notional at its own price.
 */
function sliceCap(request: SubmitRequest, rules: MarketRules, price: number): number | undefined {
  if (request.type === 'market') return marketOrderCap(rules, price);
  return marketOrderCap({ ...rules, marketMaxQty: undefined }, price, 0);
}

/**
 * Why the venue would refuse a direct market order of `qty` whole (above marketOrderCap at the touch),
 * as it names it; null when it takes it.
 */
function aboveMarketCap(qty: number, rules: MarketRules, touch: number): Refusal | null {
  const cap = marketOrderCap(rules, touch);
  if (cap === undefined || qty <= cap) return null;
  const detail = `a market order of ${qty} is above the venue's largest, ${cap} (MARKET_LOT_SIZE, LOT_SIZE or NOTIONAL maximum)`;
  return { reason: 'invalid_order', detail };
}
