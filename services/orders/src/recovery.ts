import { latestSigning, mayStillLand } from '@ballast/core';
import type { OrderSlice } from '@ballast/db';
import { VenueError, type VenueOrder } from '@ballast/exchange';
import { type OrderContext, OrderPart } from './order-context';
import type { VenueOrders } from './venue-orders';

const OPEN_OR_UNKNOWN = ['sending', 'open'] as const;

/**
 * Orders whose outcome is not known here, looked up on the venue by client id before anything is
 * re-sent: those caught mid-send by a restart, sends that got no answer (re-checked, backing off while
 * look-ups fail), a replayed direct order left `sending`, and orders resting on the venue.
 */
export class Recovery extends OrderPart {
  /** When slices whose send ended unknown are looked up again (the idle read looks too). */
  private recheckAt = Number.POSITIVE_INFINITY;
  /** Re-checks in a row that left some unknown: the next waits longer. */
  private recheckRound = 0;
  /** When this run started: a send stamped before it, or never, may have been signed as late as this. */
  private readonly startedAt: number;

  constructor(
    ctx: OrderContext,
    private readonly venueOrders: VenueOrders,
  ) {
    super(ctx);
    this.startedAt = this.deps.clock.now();
  }

  /** Whether the slices left `sending` are due to be looked up again. */
  recheckDue(now: number): boolean {
    return now >= this.recheckAt;
  }

  /**
   * Neither the venue nor a look-up answered: the order may be filled on the venue, or not there at
   * all. It stays `sending` (no event: neither refused nor filled) for the loop's re-check to resolve.
   */
  leaveUnknown(slice: OrderSlice, error: VenueError): void {
    this.deps.metrics?.unknownOutcome();
    this.deps.log.error(
      { clientOrderId: slice.clientOrderId, reason: error.reason, detail: error.message },
      'order outcome unknown: left sending until a look-up answers',
    );
    this.recheckAt = Math.min(this.recheckAt, this.deps.clock.now() + this.recheckDelay());
  }

  /**
   * Whether the slice's last send, unanswered, may still reach the venue and execute (its recvWindow,
   * plus the clock-skew allowance, not over since it was signed at the latest): until then "no such
   * order" is no answer. Never on a venue where a failed order cannot land late (the paper broker).
   */
  mayStillLand(slice: OrderSlice): boolean {
    if (!this.deps.venue.landsLate) return false;
    const { ORDERS_RECV_WINDOW_MS, ORDERS_CLOCK_SKEW_MS } = this.deps.config;
    return mayStillLand(latestSigning(slice.sentAt, this.startedAt), this.deps.clock.now(), {
      recvWindowMs: ORDERS_RECV_WINDOW_MS,
      clockSkewMs: ORDERS_CLOCK_SKEW_MS,
    });
  }

  /** The venue's order under the slice's client id, none (`seen` undefined), or the look-up's failure. */
  async lookup(slice: OrderSlice): Promise<{ seen: VenueOrder | undefined } | { failed: VenueError }> {
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
  async recover(): Promise<void> {
    let unknown = 0;
    for (const slice of await this.deps.slices.withStatus(OPEN_OR_UNKNOWN))
      if (!(await this.resolveUnknown(slice))) unknown++;
    if (unknown > 0) this.recheckAt = this.deps.clock.now() + this.recheckDelay();
  }

  /**
   * A replayed direct order: what the first delivery recorded stands. Left `sending` with no send of
   * it under way here (that delivery failed after its insert), it is looked up on the venue first.
   */
  async resolveReplayed(clientOrderId: string): Promise<void> {
    if (this.ctx.sendingDirect.has(clientOrderId)) return;
    const slice = await this.deps.slices.get(clientOrderId);
    if (slice?.status === 'sending') await this.resolveUnknown(slice);
    else if (slice?.status === 'planned') this.ctx.loopOwns(slice.dueAt);
  }

  /**
   * Applies what the venue knows of a slice; one it never heard of, caught `sending`, is planned again
   * once its send can no longer land (at a restart: a window after the start; until then it is left for
   * the re-check).
   * Whether the venue answered it for good.
   */
  private async resolveUnknown(slice: OrderSlice): Promise<boolean> {
    const look = await this.lookup(slice);
    if ('failed' in look) return false;
    if (!look.seen && slice.status === 'sending' && this.mayStillLand(slice)) return this.notYet(slice);
    if (look.seen) await this.venueOrders.applyVenueOrder(slice, look.seen);
    else if (slice.status === 'sending') await this.planAgain(slice);
    this.deps.log.info(
      { clientOrderId: slice.clientOrderId, found: look.seen !== undefined },
      'recovered order',
    );
    return true;
  }

  /**
   * Slices left `sending` while the service runs (a send whose outcome stayed unknown) are looked up
   * again: applied when found, planned again (so sent) only when the venue answers it has none once
   * the send can no longer land, left for the next re-check when the look-up fails or it still may. Direct orders whose send is under way are not ours
   * to resolve here. Re-checks back off while look-ups fail, up to LOOP_IDLE_READ_MS apart.
   */
  async recheckSending(): Promise<void> {
    let unknown = 0;
    for (const slice of await this.deps.slices.withStatus(['sending'])) {
      if (this.ctx.sendingDirect.has(slice.clientOrderId)) continue;
      if (!(await this.resolveSending(slice))) unknown++;
    }
    this.recheckRound = unknown > 0 ? this.recheckRound + 1 : 0;
    this.recheckAt = unknown > 0 ? this.deps.clock.now() + this.recheckDelay() : Number.POSITIVE_INFINITY;
  }

  /**
   * Whether a look-up resolved the slice: found (applied) or answered absent once the send could no
   * longer land (planned again).
   */
  private async resolveSending(slice: OrderSlice): Promise<boolean> {
    const look = await this.lookup(slice);
    if ('failed' in look) return false;
    if (!look.seen && this.mayStillLand(slice)) return this.notYet(slice);
    if (look.seen) await this.venueOrders.applyVenueOrder(slice, look.seen);
    else await this.planAgain(slice);
    this.deps.log.info(
      { clientOrderId: slice.clientOrderId, found: look.seen !== undefined },
      'order of unknown outcome resolved',
    );
    return true;
  }

  /**
   * Absent so far, but its send may still land: unresolved, looked up again at the next re-check, which
   * is due (a replayed direct order found so is in no re-check's count, and waited for the idle read).
   */
  private notYet(slice: OrderSlice): false {
    this.recheckAt = Math.min(this.recheckAt, this.deps.clock.now() + this.recheckDelay());
    this.deps.log.info(
      { clientOrderId: slice.clientOrderId, sentAt: slice.sentAt },
      'order not on the venue yet, its send may still land: looked up again',
    );
    return false;
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
      await this.ctx.cancelUnsent([slice], 'venue_unavailable', detail);
      return;
    }
    await this.deps.slices.update(slice.clientOrderId, { status: 'planned' });
    this.ctx.loopOwns(slice.dueAt);
  }

  /** Follows our orders resting on the venue: a status or fill the venue changed is applied. */
  async refreshOpen(): Promise<void> {
    const open = await this.deps.slices.withStatus(['open']);
    this.ctx.mayHaveOpen = open.length > 0;
    for (const slice of open) {
      const look = await this.lookup(slice);
      const seen = 'seen' in look ? look.seen : undefined;
      if (seen && (seen.status !== 'accepted' || seen.filledQty !== slice.filledQty))
        await this.venueOrders.applyVenueOrder(slice, seen);
    }
  }
}
