import type { Fill } from '@ballast/contracts';
import { roundDownToStep, roundUpToStep } from '@ballast/core';
import type { OrderSlice } from '@ballast/db';
import { VenueError, type VenueOrder } from '@ballast/exchange';
import { type OrderContext, OrderPart } from './order-context';
import type { Positions } from './positions';
import type { Recovery } from './recovery';
import type { VenueOrders } from './venue-orders';

/**
 * What a send came to: the venue's order, the error that ended the attempts (the venue refused it, or
 * a look-up answered it has no such order), or no answer at all (it may be on the venue).
 */
export type VenueAnswer = ({ order: VenueOrder } | { error: VenueError } | { unknown: VenueError }) & {
  /** The slice as it was last sent, when that is not as it was handed in (re-fitted to fresh rules). */
  refitted?: OrderSlice;
};

/**
 * One slice to the venue: recorded `sending` first, submitted, re-sent after a failure only once a
 * look-up answered the venue has no such order after the failed send could no longer land, and its
 * answer settled (applied, rejected, or left unknown for the re-check).
 */
export class Delivery extends OrderPart {
  constructor(
    ctx: OrderContext,
    private readonly positions: Positions,
    private readonly venueOrders: VenueOrders,
    private readonly recovery: Recovery,
  ) {
    super(ctx);
  }

  /**
   * Marks the slice `sending` first, stamped, so a crash mid-send is found and looked up on restart,
   * and not sent again while that send may still land (the restart counts its window from its own
   * start: the stamp precedes the signing).
   */
  async send(planned: OrderSlice): Promise<void> {
    const reduced = await this.reducedToPosition(planned);
    if (!reduced) return;
    const slice = { ...reduced, sentAt: this.deps.clock.now() };
    await this.deps.slices.update(slice.clientOrderId, { status: 'sending', sentAt: slice.sentAt });
    await this.settle(slice, await this.deliver(slice));
  }

  /**
   * A reduce-only slice is capped to the position again when it goes out, not only when it was
   * accepted: since then a flatten may have sold the rest under a TWAP exit's later slices, or a later
   * close filled while this one's outcome was unknown. On spot the venue cannot refuse the excess, which
   * would sell coins held apart. Closes of the position already sent count as far as their fills are
   * not booked yet (a flatten's orders that landed while the venue's trade list lagged): the fold does
   * not hold them, the venue does. Nothing left to reduce: the slice is announced cancelled and aborted, unsent.
   */
  private async reducedToPosition(slice: OrderSlice): Promise<OrderSlice | undefined> {
    if (!slice.reduceOnly) return slice;
    const { stepSize } = await this.deps.venue.marketRules(slice.symbol);
    const qty = this.positions.reducible(slice, slice.qty, stepSize, await this.closesInFlight(slice));
    if (qty >= slice.qty) return slice;
    if (qty > 0) {
      await this.deps.slices.update(slice.clientOrderId, { qty });
      return { ...slice, qty };
    }
    const detail = `reduce-only ${slice.side} of ${slice.symbol}: the position it reduced is closed`;
    await this.ctx.cancelUnsent([slice], 'invalid_order', detail);
    return undefined;
  }

  /**
   * What the other reduce-only market orders of the slice's market and side, sent or being sent, may
   * still trade beyond the fills booked of them. A resting reduce-only limit is left out: it is no
   * close under way, and counting it would hold back a stop's close.
   */
  private async closesInFlight(slice: OrderSlice): Promise<number> {
    const sent = await this.deps.slices.withStatus(['sending', 'open']);
    let left = 0;
    for (const s of sent) {
      if (
        !s.reduceOnly ||
        s.type !== 'market' ||
        s.clientOrderId === slice.clientOrderId ||
        s.exchange !== slice.exchange ||
        s.symbol !== slice.symbol ||
        s.side !== slice.side
      )
        continue;
      const booked = (s.fills as Fill[]).reduce((sum, f) => sum + f.qty, 0);
      left += Math.max(0, s.qty - booked);
    }
    return left;
  }

  /**
   * The venue's answer to a slice recorded `sending`. A retryable failure may still have reached the
   * venue (a reply lost after the order filled), or may reach it later (a request still queued at the
   * gateway: Binance -1007, execution status unknown), and Binance refuses a repeated client id only
   * while the first order is open: so it is sent again only after a look-up answered that the venue has
   * no such order once the failed send could no longer land (its recvWindow over). A look-up that fails
   * is tried again, never taken for "not there"; when none settles it within RETRY_ATTEMPTS waits, the
   * outcome is unknown, for the re-check. A send is stamped (`sentAt`) once it failed on a venue where
   * it may land late: the request was signed before its failure came back, so the window counted from
   * then cannot close before the venue's does. A re-send is stamped as it goes out too; the first send
   * is not: a stamp taken before the signing is no bound on it (the failure's stamp is, and a restart
   * counts from its own start), so a direct order goes from its record to the venue with no write in
   * between (a TWAP slice's `sending` mark carries a stamp anyway).
   */
  async deliver(first: OrderSlice): Promise<VenueAnswer> {
    this.deps.metrics?.sent(first.intentId, first.clientOrderId);
    const last = { slice: first };
    const answer = await this.attempts(last);
    return last.slice.qty !== first.qty || last.slice.price !== first.price
      ? { ...answer, refitted: last.slice }
      : answer;
  }

  /** The sends of deliver, `last.slice` the slice as last sent. */
  private async attempts(last: { slice: OrderSlice }): Promise<VenueAnswer> {
    const waits = { used: 0 };
    let slice = last.slice;
    let refitted = false;
    for (let sends = 1; ; sends++) {
      if (sends > 1) slice = await this.stamp(slice);
      last.slice = slice;
      const sent = await this.submitOnce(slice);
      if (!(sent instanceof VenueError)) return { order: sent };
      const refit = !sent.retryable && !refitted ? await this.refitToFreshRules(slice, sent) : undefined;
      if (refit) {
        refitted = true;
        slice = refit;
        continue;
      }
      if (!sent.retryable) return { error: sent };
      if (this.deps.venue.landsLate) slice = await this.stamp(slice);
      const after = await this.lookUpAfter(slice, sent, waits);
      if (after) return after;
      // The venue answered it has no such order and the send can no longer land: sent again, unless
      // that was the last attempt (then refused: nothing of it can still trade).
      if (sends >= this.deps.config.RETRY_ATTEMPTS) return { error: sent };
    }
  }

  /**
   * A slice the venue refused for its precision, re-fitted to the market's rules as the venue now
   * gives them: Binance changes a market's step or tick now and then, and rules read once for the life
   * of the process had every order refused until a restart. The venue reads its rules again on such a
   * refusal (refreshRules, at most once per RULES_MIN_REFRESH_MS: never every order); the slice is sent
   * once more only when those rules change it: its quantity down to the step, a limit price onto the
   * tick on its passive side. A refused order was not placed, so its client id is free. Undefined: not
   * such a refusal, or nothing to re-fit.
   */
  private async refitToFreshRules(slice: OrderSlice, refused: VenueError): Promise<OrderSlice | undefined> {
    const { venue, log } = this.deps;
    if (refused.reason !== 'precision') return undefined;
    await venue.refreshRules?.().catch((err: unknown) => {
      log.warn({ err, clientOrderId: slice.clientOrderId }, 'market rules not read again');
    });
    const rules = await venue.marketRules(slice.symbol).catch(() => undefined);
    if (!rules) return undefined;
    const { stepSize, tickSize } = rules;
    const qty = roundDownToStep(slice.qty, stepSize);
    const onTick = slice.side === 'buy' ? roundDownToStep : roundUpToStep;
    const price = slice.price === null ? null : onTick(slice.price, tickSize);
    if (qty <= 0 || (qty === slice.qty && price === slice.price)) return undefined;
    await this.deps.slices.update(slice.clientOrderId, { qty, price });
    log.warn(
      { clientOrderId: slice.clientOrderId, qty: [slice.qty, qty], price: [slice.price, price] },
      'order refused for precision: sent once more on the market rules read again',
    );
    return { ...slice, qty, price };
  }

  /** Stamps the slice with the time now, kept: before a send goes out, and once it failed. */
  private async stamp(slice: OrderSlice): Promise<OrderSlice> {
    const sentAt = this.deps.clock.now();
    await this.deps.slices.update(slice.clientOrderId, { sentAt });
    return { ...slice, sentAt };
  }

  /**
   * Looks a slice up after a failed send until a look-up settles it, waiting before each (RETRY_ATTEMPTS
   * waits per delivery): the order found, undefined when it is not there and the send can no longer
   * land, unknown when no look-up answered or the send may still land.
   */
  private async lookUpAfter(
    slice: OrderSlice,
    failed: VenueError,
    waits: { used: number },
  ): Promise<VenueAnswer | undefined> {
    let last = failed;
    while (waits.used < this.deps.config.RETRY_ATTEMPTS) {
      await this.backOff(slice, last, waits.used++);
      const look = await this.recovery.lookup(slice);
      if ('failed' in look) last = look.failed;
      else if (look.seen) return { order: look.seen };
      else if (!this.recovery.mayStillLand(slice)) return undefined;
    }
    return { unknown: failed };
  }

  /**
   * One submit: the venue's order, or why it failed. A market order carries what it is expected to
   * trade at (the fresh streamed touch, else the position's entry), read from memory only: a venue
   * refusing it for its notional is told the maximum from the minimum by it, so a close chunk refused
   * above the maximum is not taken for one too small and folded into the next (doubling it).
   */
  private async submitOnce(slice: OrderSlice): Promise<VenueOrder | VenueError> {
    const referencePrice =
      slice.type === 'market'
        ? (this.ctx.slippageBook.streamedTouch(slice.symbol, slice.side) ??
          this.positions.book.position(slice.exchange, slice.symbol)?.avgEntry)
        : undefined;
    try {
      return await this.deps.venue.submit({
        clientOrderId: slice.clientOrderId,
        symbol: slice.symbol,
        side: slice.side,
        type: slice.type,
        qty: slice.qty,
        price: slice.price,
        reduceOnly: slice.reduceOnly,
        ...(referencePrice !== undefined ? { referencePrice } : {}),
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

  async settle(handed: OrderSlice, answer: VenueAnswer): Promise<void> {
    const slice = answer.refitted ?? handed;
    if ('order' in answer) await this.venueOrders.applyVenueOrder(slice, answer.order);
    else if ('error' in answer) await this.venueOrders.reject(slice, answer.error);
    else this.recovery.leaveUnknown(slice, answer.unknown);
  }
}
