import { type Envelope, type OrderEvent, RejectReason, Subjects, subject } from '@ballast/contracts';
import { clientOrderId, derivedUuid, roundDownToStep, sumLots } from '@ballast/core';
import type { OrderSlice } from '@ballast/db';
import { eventOf, type OrderContext, OrderPart } from './order-context';
import type { Recovery } from './recovery';
import { type SubmitRequest, sliceOf } from './submit-request';

/**
 * Requests that send nothing: those refused before anything is planned (recorded, for an entry, so a
 * later delivery is a repeat), and repeats of an intent or client id already recorded, which replay
 * what the first delivery recorded.
 */
export class Refusals extends OrderPart {
  constructor(
    ctx: OrderContext,
    private readonly recovery: Recovery,
  ) {
    super(ctx);
  }

  /**
   * Refuses a request before any order is sent. An entry's refusal is recorded first, as its slice 0
   * rejected: a later delivery of it is a repeat, not a second chance once risk has freed its room.
   * One a concurrent delivery recorded first is not refused: it may have filled, and a rejection now
   * would tell risk, stops and the operator otherwise. An exit refused for want of a position is not
   * recorded: sent again once there is one, it must go.
   */
  async refuse(
    request: SubmitRequest,
    reason: RejectReason,
    detail: string,
    cause: Envelope<unknown>,
  ): Promise<void> {
    const id = request.clientOrderId ?? clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, 0);
    const claim = sliceOf(request, cause, this.deps.venue.id, {
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
      { ...claim, venueOrderId: null, filledQty: 0, avgPrice: null, sentAt: null, announcedFills: 0 },
      reason,
      detail,
      cause,
    );
  }

  /** The intent's slice 0 if any delivery recorded one: under the request's own client id, or derived. */
  async recordedIntent(request: SubmitRequest): Promise<OrderSlice | undefined> {
    const derived = clientOrderId(this.deps.config.CLIENT_ID_PREFIX, request.intentId, 0);
    if (request.clientOrderId) {
      const own = await this.deps.slices.get(request.clientOrderId);
      if (own) return own;
    }
    return this.deps.slices.get(derived);
  }

  /**
   * A delivery of an intent (or a client id) already recorded: what the first delivery recorded stands,
   * and is resolved if that delivery left it mid-send.
   */
  async replay(
    request: SubmitRequest,
    recorded: OrderSlice | undefined,
    cause: Envelope<unknown>,
  ): Promise<void> {
    await this.reportRepeat(request, recorded);
    if (!recorded) return;
    const refusal = recorded.status === 'rejected' ? refusalOf(recorded.detail) : undefined;
    if (refusal) await this.announceRefusal(recorded, refusal.reason, refusal.detail, cause);
    else await this.ctx.serial.run(() => this.recovery.resolveReplayed(recorded.clientOrderId));
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
    const recordedQty = await this.recordedQty(recorded);
    const same = recorded.reduceOnly ? recordedQty <= qty + 1e-12 : Math.abs(recordedQty - qty) < 1e-12;
    if (recorded.side === request.side && recorded.reduceOnly === request.reduceOnly && same) return;
    await this.deps.bus.publish(subject(Subjects.alert, {}), {
      severity: 'warning',
      kind: 'client_order_id_reused',
      message: `client order id ${id} reused by a ${request.side} ${qty} ${request.symbol} submit; recorded order is ${recorded.side} ${recordedQty}; nothing sent`,
      labels: {
        service: this.ctx.service,
        exchange: this.deps.venue.id,
        symbol: request.symbol,
        clientOrderId: id,
      },
    });
  }

  /**
   * What the order recorded under a client id came to: a close above the venue's market maximum was
   * recorded in chunks (Intake), together the order. A close's quantities are rewritten after it was
   * asked: capped to the position when accepted and again at each send, and a chunk the venue refused
   * for its size folded into the next (the refused one keeps its quantity, so it is left out). A close
   * is therefore at most what was asked, never exactly it; an entry is exactly what was asked.
   */
  private async recordedQty(recorded: OrderSlice): Promise<number> {
    const chunks = await this.deps.slices.ofIntent(recorded.intentId);
    if (chunks.length <= 1) return recorded.qty;
    return sumLots(chunks.filter((c) => !recorded.reduceOnly || c.status !== 'rejected').map((c) => c.qty));
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
