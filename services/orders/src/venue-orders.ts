import { type Fill, type RejectReason, Subjects, subject } from '@ballast/contracts';
import { derivedUuid, LIVE_ORDER_STATUSES, orderOver, subtractLots, type TwapShortfall } from '@ballast/core';
import type { OrderSlice, SliceStatus } from '@ballast/db';
import type { VenueError, VenueOrder } from '@ballast/exchange';
import { chainOf, type OrderContext, OrderPart } from './order-context';
import type { Positions } from './positions';
import type { Shortfall } from './twap-pacer';

/**
 * What the venue says of our orders, applied: a slice's status and new fills recorded, each announced
 * (`ord.event`) and folded into its position; a refusal recorded and announced, a TWAP's ending short
 * alerted.
 */
export class VenueOrders extends OrderPart {
  constructor(
    ctx: OrderContext,
    private readonly positions: Positions,
  ) {
    super(ctx);
  }

  /**
   * What the venue says of the slice: recorded, then announced (order events, and the position each
   * new fill makes). Recorded first, so a restart of risk reading held positions from the records never
   * misses a fill it was told of. The announcement is kept until it went out (OrderContext.announce): a
   * publish refused after the record (NATS unreachable for a moment) lost the fill's events for good,
   * the slice reading as settled, so the stops service never protected the position nor risk counted it.
   */
  async applyVenueOrder(slice: OrderSlice, order: VenueOrder): Promise<void> {
    const fresh = await this.freshFills(slice, order.fills);
    const status: SliceStatus =
      order.status === 'accepted' || order.status === 'partially_filled' ? 'open' : order.status;
    if (status === 'open') this.ctx.mayHaveOpen = true;
    const fills = [...(slice.fills as Fill[]), ...fresh];
    const over = orderOver(status, order.filledQty, slice.qty);
    // Once, as the slice's end is first heard of: a later read of the same order folds nothing again.
    // So the rest's plan commits with the end it follows: recorded over first, a crash (or a failed
    // write) before the plan lost the rest unalerted, and no later read would plan it again.
    const short =
      over && status !== 'filled' && LIVE_ORDER_STATUSES.has(slice.status)
        ? await this.shortfall(slice, order)
        : undefined;
    await this.deps.slices.transaction(async (slices) => {
      await slices.update(slice.clientOrderId, {
        status,
        venueOrderId: order.venueOrderId,
        filledQty: order.filledQty,
        avgPrice: order.avgPrice,
        fills,
      });
      await short?.record(slices);
    });
    if (short && short.outcome.action !== 'end') this.plannedLater(slice, short.outcome);
    for (const fill of fresh)
      this.deps.metrics?.filled(slice.intentId, slice.clientOrderId, slice.side, fill);
    const next = { ...slice, status, fills, filledQty: order.filledQty };
    await this.announce(
      next,
      order,
      fresh,
      over,
      short?.outcome.action === 'end' ? () => this.endedShort(slice, order, short.outcome) : undefined,
    );
  }

  /**
   * The rest of a market slice the venue ended part-filled (TwapPacer.shortFilled): an exit's goes out in
   * a later slice (folded, or a catch-up), so the position is not left open unheard. Planned here, before
   * anything is recorded; rules or slices that cannot be read leave the rest unplanned, which is alerted.
   */
  private async shortfall(slice: OrderSlice, order: VenueOrder): Promise<Shortfall | undefined> {
    return this.ctx.pacer
      .shortFilled(slice, order.filledQty, order.avgPrice)
      .catch((err: unknown): Shortfall => {
        this.deps.log.warn(
          { err, clientOrderId: slice.clientOrderId },
          'part-filled slice: rest not planned',
        );
        const unfilledQty = subtractLots(slice.qty, order.filledQty);
        return { outcome: { action: 'end', unfilledQty, why: 'not_planned' }, record: async () => {} };
      });
  }

  /** A part-filled slice's rest planned later (folded, or catch-ups): logged, and the loop sends it. */
  private plannedLater(slice: OrderSlice, short: Exclude<TwapShortfall, { action: 'end' }>): void {
    this.ctx.loopOwns(this.deps.clock.now());
    this.deps.log.warn(
      {
        clientOrderId: slice.clientOrderId,
        intentId: slice.intentId,
        unfilledQty: short.unfilledQty,
        ...shortfallPlan(short),
      },
      'market slice part-filled: its rest goes out later',
    );
  }

  /**
   * A part-filled slice's rest left unfilled (an entry's, whose room risk freed, one the book would not
   * take, or one not planned), alerted.
   */
  private async endedShort(slice: OrderSlice, order: VenueOrder, short: TwapShortfall): Promise<void> {
    if (short.action !== 'end') return;
    const detail = `${order.status} with ${order.filledQty} of ${slice.qty} filled; the rest left (${short.why})`;
    await this.alertUnfilled(slice, short.unfilledQty, detail, short.why);
  }

  /**
   * Fills recorded whose announcement never went out (the service stopped while it was kept, NATS
   * unreachable, or crashed between record and publish): announced at start, in the order they were
   * recorded, before anything new. Their positions were rebuilt with them (foldSlices), so each gives
   * the step it made. Still refused, they wait for the loop (SendLoop.announceLeft).
   */
  async announceRecorded(): Promise<void> {
    for (const slice of await this.deps.slices.withUnannouncedFills()) {
      const unannounced = (slice.fills as Fill[]).slice(slice.announcedFills);
      this.deps.log.warn(
        { clientOrderId: slice.clientOrderId, fills: unannounced.map((f) => f.tradeId) },
        'fills recorded but never announced: announced now',
      );
      const over = orderOver(slice.status, slice.filledQty, slice.qty);
      await this.announce(slice, recordedOrder(slice), unannounced, over).catch((err: unknown) =>
        this.deps.log.warn({ err, clientOrderId: slice.clientOrderId }, 'the bus refused them again'),
      );
    }
  }

  /**
   * The order events of `slice` (as recorded, with `fresh` among its fills) and the positions its fresh
   * fills make. Run again, whole, until it went out (OrderContext.announce): the ids repeat, and a fill
   * is folded once (Positions.foldFill). Marked announced in the record last, so a stop before then
   * announces the fills again at the next start (announceRecorded).
   */
  private async announce(
    slice: OrderSlice,
    order: VenueOrder,
    fresh: readonly Fill[],
    over: boolean,
    then?: () => Promise<void>,
  ) {
    const fills = slice.fills as Fill[];
    await this.ctx.announce(async () => {
      if (fresh.length === 0) await this.publishOrder(slice, order, null);
      if (fresh.length === 0 && over) await this.positions.endExit(slice, fills.at(-1));
      for (const fill of fresh) {
        await this.publishOrder(slice, order, fill);
        await this.positions.foldFill(slice, fill, over && fill === fresh.at(-1));
      }
      // What became of a part-filled slice's rest, told after its events (its alert's id repeats).
      await then?.();
      if (fresh.length > 0) await this.deps.slices.markAnnounced(slice.clientOrderId, fills.length);
      this.positions.announced(slice, fresh);
    });
  }

  /**
   * The venue's fills of the order not booked yet: neither in its own fills nor under another order
   * (reconciliation may have filed the trade as external before this answer came): a trade is booked
   * once, or it counts twice in the position.
   */
  private async freshFills(slice: OrderSlice, fills: readonly Fill[]): Promise<Fill[]> {
    const known = new Set((slice.fills as Fill[]).map((f) => f.tradeId));
    const fresh: Fill[] = [];
    for (const fill of fills) {
      if (known.has(fill.tradeId)) continue;
      const holder = await this.deps.slices.holderOfTrade(slice.exchange, slice.symbol, fill.tradeId);
      if (holder && holder !== slice.clientOrderId) {
        this.deps.log.warn(
          { clientOrderId: slice.clientOrderId, holder, tradeId: fill.tradeId },
          'venue fill already booked under another order; not recorded again',
        );
        await this.alertBookedElsewhere(slice, holder, fill.tradeId);
        continue;
      }
      fresh.push(fill);
    }
    return fresh;
  }

  /**
   * Our order's trade is in our books under another order (reconciliation filed it as external): the
   * position counts it once, but our order shows less filled than the venue's, for the operator to see.
   */
  private async alertBookedElsewhere(slice: OrderSlice, holder: string, tradeId: string): Promise<void> {
    await this.deps.bus.publish(
      subject(Subjects.alert, {}),
      {
        severity: 'warning',
        kind: 'fill_booked_elsewhere',
        message: `${slice.exchange} ${slice.symbol}: venue trade ${tradeId} of ${slice.clientOrderId} is booked under ${holder}; not recorded again under ${slice.clientOrderId}`,
        labels: {
          service: this.ctx.service,
          exchange: slice.exchange,
          symbol: slice.symbol,
          clientOrderId: slice.clientOrderId,
        },
      },
      {
        id: derivedUuid('alert', 'fill_booked_elsewhere', slice.clientOrderId, tradeId),
        ...chainOf(slice.correlationId),
      },
    );
  }

  async reject(slice: OrderSlice, error: VenueError): Promise<void> {
    const twap = await this.ctx.pacer.refused(slice, error);
    if (twap?.action === 'retry') this.ctx.loopOwns(this.deps.clock.now());
    if (twap && twap.action !== 'end') return;
    const reason = toRejectReason(error);
    const detail = twap ? `${error.message}; TWAP ended with ${twap.unfilledQty} unfilled` : error.message;
    await this.deps.slices.update(slice.clientOrderId, { status: 'rejected', detail });
    await this.ctx.publishEvent(slice, slice.clientOrderId, 'rejected', {
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
    if (twap) await this.alertUnfilled(slice, twap.unfilledQty, detail, reason);
  }

  /** A TWAP, or a market exit, that ends short: the operator hears how much of it was never filled, and why (`reason`). */
  private async alertUnfilled(
    slice: OrderSlice,
    unfilledQty: number,
    detail: string,
    reason: string,
  ): Promise<void> {
    await this.deps.bus.publish(
      subject(Subjects.alert, {}),
      {
        severity: 'warning',
        kind: 'twap_unfilled',
        message: `Order ${slice.intentId} ${slice.side} ${slice.symbol} ended with ${unfilledQty} unfilled: ${detail}`,
        labels: {
          service: this.ctx.service,
          exchange: slice.exchange,
          symbol: slice.symbol,
          intentId: slice.intentId,
          clientOrderId: slice.clientOrderId,
          unfilledQty: String(unfilledQty),
          reason,
        },
      },
      { id: derivedUuid('alert', 'twap_unfilled', slice.clientOrderId), ...chainOf(slice.correlationId) },
    );
  }

  private async publishOrder(slice: OrderSlice, order: VenueOrder, fill: Fill | null): Promise<void> {
    const status =
      fill && order.status === 'filled' && fill !== order.fills.at(-1) ? 'partially_filled' : order.status;
    await this.ctx.publishEvent(slice, `${slice.clientOrderId}|${status}|${fill?.tradeId ?? ''}`, status, {
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
}

function shortfallPlan(short: Exclude<TwapShortfall, { action: 'end' }>): object {
  return short.action === 'fold' ? { foldedInto: short.into, qty: short.qty } : { catchUp: short.qty };
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

/** The venue's order as our record of it stands: what its events said, or would have said. */
function recordedOrder(slice: OrderSlice): VenueOrder {
  const resting = slice.filledQty > 0 ? 'partially_filled' : 'accepted';
  const status = slice.status === 'filled' || slice.status === 'cancelled' ? slice.status : resting;
  return {
    clientOrderId: slice.clientOrderId,
    venueOrderId: slice.venueOrderId ?? '',
    symbol: slice.symbol,
    side: slice.side,
    status,
    qty: slice.qty,
    price: slice.price,
    filledQty: slice.filledQty,
    avgPrice: slice.avgPrice,
    fills: slice.fills as Fill[],
  };
}
