import type { NewSlice, OrderSlice } from '@ballast/db';
import type { Delivery, VenueAnswer } from './delivery';
import type { KillSwitch } from './kill-switch';
import { type OrderContext, OrderPart } from './order-context';
import type { Recovery } from './recovery';
import type { SliceGuard } from './twap-pacer';

/**
 * One pass of the send loop: the direct orders just recorded go out first, then the planned slices
 * due (TWAP pacing and the slippage guard deciding each), then orders resting on the venue are
 * followed and sends of unknown outcome looked up again. The manager runs passes in its serial chain.
 */
/** ORDERS_OPEN_POLL_MS when unset. */
export const DEFAULT_OPEN_POLL_MS = 1_000;

export class SendLoop extends OrderPart {
  /** When the loop last read the table: reconciliation writes it too, so it is read now and then anyway. */
  private lastLookAt = 0;
  /** When orders resting on the venue are looked up next. */
  private openLookAt = 0;

  constructor(
    ctx: OrderContext,
    private readonly killSwitch: Pick<KillSwitch, 'killed' | 'kills' | 'abortUnsent'>,
    private readonly delivery: Delivery,
    private readonly recovery: Recovery,
  ) {
    super(ctx);
  }

  /**
   * The table is read only when a slice is due, an order may be open, or LOOP_IDLE_READ_MS has passed
   * (reconciliation writes it too). Orders resting on the venue are looked up once per
   * ORDERS_OPEN_POLL_MS, not every pass: each look-up is a signed request, and a pass every TICK_MS
   * (100 ms) spent Binance's request weight fast enough to have the IP banned.
   */
  async pass(): Promise<void> {
    await this.announceLeft();
    await this.sendDirect();
    const now = this.deps.clock.now();
    const idle = now - this.lastLookAt >= this.deps.config.LOOP_IDLE_READ_MS;
    if (idle) this.lastLookAt = now;
    if (idle || now >= this.ctx.nextDueAt) await this.sendDue(now);
    if (idle || (this.ctx.mayHaveOpen && now >= this.openLookAt)) {
      this.openLookAt = now + (this.deps.config.ORDERS_OPEN_POLL_MS ?? DEFAULT_OPEN_POLL_MS);
      await this.recovery.refreshOpen();
    }
    if (idle || this.recovery.recheckDue(now)) await this.recovery.recheckSending();
  }

  /**
   * Fills and statuses recorded whose events a publish failure kept in (OrderContext.announce): made
   * now. Still refused, they wait for the next pass; the orders go on meanwhile.
   */
  private async announceLeft(): Promise<void> {
    try {
      await this.ctx.announceLeft();
    } catch (err) {
      this.deps.log.warn({ err }, 'recorded order updates not announced yet: the bus refused them again');
    }
  }

  /**
   * Sends the direct orders recorded since the last pass, and those recorded while it sends, before
   * any venue answer is applied: an order recorded meanwhile waits for no other's bookkeeping. An
   * entry recorded before a kill came in is aborted, as the kill aborts planned entries; an exit goes
   * out. One still queued when the service stops is left planned for the next start.
   */
  private async sendDirect(): Promise<void> {
    const { directQueue, sendingDirect } = this.ctx;
    const answered: Array<{ slice: OrderSlice; answer: VenueAnswer }> = [];
    try {
      for (let next = directQueue.shift(); next; next = directQueue.shift()) {
        const slice = recordedSending(next.slice);
        const killedSince =
          !slice.reduceOnly && (this.killSwitch.kills !== next.kills || this.killSwitch.killed);
        if (killedSince || this.ctx.stopped) {
          await this.holdBack(slice, killedSince);
          continue;
        }
        try {
          answered.push({ slice, answer: await this.delivery.deliver(slice) });
        } catch (err) {
          sendingDirect.delete(slice.clientOrderId);
          throw err;
        }
      }
    } finally {
      try {
        for (const { slice, answer } of answered) await this.delivery.settle(slice, answer);
      } finally {
        for (const { slice } of answered) sendingDirect.delete(slice.clientOrderId);
      }
    }
  }

  private async holdBack(slice: OrderSlice, killed: boolean): Promise<void> {
    try {
      if (killed) await this.killSwitch.abortUnsent([slice], 'kill switch engaged before it was sent');
      else await this.deps.slices.update(slice.clientOrderId, { status: 'planned' });
    } finally {
      this.ctx.sendingDirect.delete(slice.clientOrderId);
    }
  }

  /**
   * Sends the slices due by `now`, at most one per intent a pass (a TWAP found late is re-spaced, and a
   * refused slice may have grown the next), each past the slippage guard; notes when the next falls due.
   */
  private async sendDue(now: number): Promise<void> {
    // Lowered again by any plan made while this pass reads.
    this.ctx.nextDueAt = Number.POSITIVE_INFINITY;
    const planned = await this.ctx.pacer.respace(await this.deps.slices.withStatus(['planned']), now);
    const due = firstPerIntent(
      planned.filter((s) => s.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt || a.slice - b.slice),
    );
    for (const s of planned) if (s.dueAt > now || !due.includes(s)) this.ctx.loopOwns(s.dueAt);
    for (const slice of due) {
      if (this.ctx.stopped) {
        this.ctx.loopOwns(slice.dueAt);
        return;
      }
      // An entry left planned during a kill waits for the resume's abort; the exits after it go out.
      if (this.killSwitch.killed && !slice.reduceOnly) this.ctx.loopOwns(slice.dueAt);
      else if (await this.demotedSince(slice, planned)) continue;
      else if (await this.passesGuard(slice, await this.ctx.pacer.guard(slice, planned)))
        await this.delivery.send(slice);
    }
  }

  /**
   * An entry's slice whose strategy stopped being live after the entry was accepted (risk demoted it
   * mid-TWAP): it and the rest of its intent are cancelled unsent, as intake would refuse the entry now.
   * Lifecycles that could not be read lately are no demotion: the slice waits (true: not sent this
   * pass) for a read to say, rather than a database blip cutting every TWAP entry under way short.
   */
  private async demotedSince(slice: OrderSlice, planned: readonly OrderSlice[]): Promise<boolean> {
    const live = this.deps.liveStrategies;
    if (slice.reduceOnly || slice.strategy === null || !live) return false;
    const notLive = live.demotion(slice.strategy);
    const stale = notLive ? null : live.staleness();
    if (stale) {
      this.ctx.loopOwns(slice.dueAt);
      this.deps.log.warn({ intentId: slice.intentId, strategy: slice.strategy, stale }, 'entry slice held');
      return true;
    }
    if (!notLive) return false;
    const rest = planned.filter((s) => s.intentId === slice.intentId);
    await this.ctx.cancelUnsent(rest, 'strategy_not_live', notLive);
    this.deps.log.warn(
      {
        intentId: slice.intentId,
        strategy: slice.strategy,
        slices: rest.length,
        reason: 'strategy_not_live',
      },
      'entry slices of a strategy no longer live: cancelled unsent',
    );
    return true;
  }

  /** A slice the guard holds back is due again later; one held back too often is cancelled, its TWAP too. */
  private async passesGuard(slice: OrderSlice, guard: SliceGuard): Promise<boolean> {
    if (guard.kind === 'wait') this.ctx.loopOwns(guard.until);
    if (guard.kind === 'cancel') await this.ctx.cancelUnsent(guard.slices, guard.reason, guard.detail);
    if (guard.kind !== 'send')
      this.deps.log.warn({ clientOrderId: slice.clientOrderId, guard }, 'slice not sent');
    return guard.kind === 'send';
  }
}

/** Of due slices in send order, the first of each intent: the next pass reads the table again. */
function firstPerIntent(due: readonly OrderSlice[]): OrderSlice[] {
  const seen = new Set<string>();
  return due.filter((s) => !seen.has(s.intentId) && seen.add(s.intentId));
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
    sentAt: null,
    announcedFills: 0,
  };
}
