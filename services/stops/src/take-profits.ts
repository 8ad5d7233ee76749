import type { OrderEvent } from '@ballast/contracts';
import {
  addTakeProfitFailure,
  closeIntentId,
  grownAfterSale,
  type MarketRules,
  nextTakeProfit,
  restAfterStop,
  roundDownToStep,
  seenWhileSelling,
  stopFilled,
  type TakeProfitAction,
  type TakeProfitFailures,
  takeProfitProgress,
  takeProfitPurpose,
  takeProfitReached,
  takeProfitRetryDue,
  takeProfitSent,
} from '@ballast/core';
import { stopLimitPrice } from '@ballast/exchange';
import type { Closes } from './closes';
import type { FlattenHold } from './flatten-hold';
import { market } from './pending-intents';
import { type StopContext, StopPart } from './stop-context';
import type { StopPlacement } from './stop-placement';
import { type StopRecord, wantedStop } from './stop-record';

/**
 * Takes profit in steps (core nextTakeProfit). One take-profit at a time: its stop is first moved onto
 * what stays (a spot stop locks what it covers), then the sale goes out as a close; the ladder moves
 * only once the orders service says it filled, and a refused or unanswered one puts the stop back.
 */
export class TakeProfits extends StopPart {
  /**
   * Each position's take-profit sales refused or unanswered in a row (core takeProfitRetryDue), by
   * failuresKey: kept in memory, so a restart tries again at once.
   */
  private readonly failures = new Map<string, TakeProfitFailures>();

  constructor(
    ctx: StopContext,
    private readonly closes: Closes,
    private readonly placement: StopPlacement,
    private readonly hold: Pick<FlattenHold, 'held' | 'resized'>,
  ) {
    super(ctx);
  }

  /**
   * A price reached the ladder's next level: the stop goes to breakeven and part or all of the position
   * is sold (core nextTakeProfit). True when a take-profit started.
   */
  async takeProfit(record: StopRecord, price: number): Promise<boolean> {
    // Checked first: most prices reach no level, and then no rules or ladder input are built. One
    // take-profit at a time: the next level waits until this one filled or was undone, and for a move
    // whose old stop could not be cancelled (its stop and size are not the record's yet).
    if (record.takeProfit || record.pendingMove || !takeProfitReached(record.side, record.ladder, price))
      return false;
    const failures = this.failures.get(failuresKey(record));
    if (!takeProfitRetryDue(failures, this.deps.clock.now(), this.deps.config.CLOSE_CONFIRM_MS)) return false;
    const rules = await this.deps.venue.marketRules(record.symbol);
    const action = this.nextAction(record, price, rules);
    if (!action) return false;
    const keep = roundDownToStep(record.qty - action.closeQty, rules.stepSize);
    const purpose = takeProfitPurpose(action.level, record.seq);
    await this.ctx.publish(
      record,
      'take_profit',
      `TP${action.level} at ${action.price}: closing ${action.closeQty}${action.resized ? ` (${action.resized})` : ''}, stop to ${action.newStop} on the ${keep} left`,
    );
    if (action.closeQty <= 0) {
      record.ladder = action.next;
      await this.ctx.save(record);
      await this.placement.replace(
        record,
        action.newStop,
        record.qty,
        `TP${action.level}: stop to breakeven`,
      );
    } else if (keep <= 0) await this.sellAll(record, action.level, purpose);
    else await this.sendTakeProfit(record, action.newStop, { ...action, keep, purpose });
    return true;
  }

  /** The take-profit `price` reaches on the record's ladder, sized for the venue; null when none. */
  private nextAction(record: StopRecord, price: number, rules: MarketRules): TakeProfitAction | null {
    return nextTakeProfit({
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
      // What stays must take the stop the venue will rest: a stop-limit, valued at its limit (paper
      // rests the same one).
      stopOrderPrice: (stop) =>
        stopLimitPrice(
          { side: record.stopSide, stopPrice: stop },
          this.deps.config.STOP_LIMIT_OFFSET_BPS,
          rules.tickSize,
        ),
    });
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
      fills: {},
      seen: null,
      grown: 0,
    };
    await this.ctx.save(record);
    const soldByStop = await this.placement.replace(
      record,
      newStop,
      tp.keep,
      `TP${tp.level}: stop to breakeven on what stays`,
      tp.closeQty,
    );
    if (soldByStop > 0 || Math.abs(record.qty - tp.keep) > 1e-12) {
      // The stop could not be cancelled (the next price that reaches the level tries again), or the
      // venue executed it before it could be moved (the position is closing anyway), or sold part of
      // the position before its cancel (the moved stop covers all that is left, and the next price at
      // the level tries again): nothing is sold, and the stop is not to be shrunk later for a sale
      // that was never sent.
      this.placement.forgetMove(record);
      record.takeProfit = null;
      await this.ctx.save(record);
      return;
    }
    await this.closes.submitClose(record, tp.closeQty, tp.purpose, undefined);
  }

  /**
   * The last level, or one whose split the venue would refuse (sellableTakeProfit), sells everything.
   * The stop stays until the sale fills: where stops are reduce-only (derivatives) it rests through it and
   * goes with the position; a spot stop locks the coins, so it is cancelled first (the only moment
   * without one) and, as for any take-profit, put back on the position if the sale is refused or
   * unanswered. A stop that cannot be cancelled keeps the position: the next price tries again.
   */
  private async sellAll(record: StopRecord, level: number, purpose: string): Promise<void> {
    const sentAt = this.deps.clock.now();
    record.takeProfit = { level, qty: record.qty, keep: 0, purpose, sentAt, fills: {}, seen: null, grown: 0 };
    await this.ctx.save(record);
    if (!this.deps.venue.supportsReduceOnly && record.clientOrderId) {
      const sold = await this.freeCoins(record, record.clientOrderId);
      if (sold === null) {
        record.takeProfit = null;
        await this.ctx.save(record);
        return;
      }
      if (sold > 0 && !(await this.soldByStop(record, sold))) return;
    }
    await this.closes.submitClose(record, record.qty, purpose, undefined);
  }

  /**
   * Cancels the stop so a sale can use the coins it locks: what the stop sold before its cancel (a
   * stop-limit part-filled), or null when it is still there, or the venue is executing it (its
   * read-back and the local monitor follow that).
   */
  private async freeCoins(record: StopRecord, clientOrderId: string): Promise<number | null> {
    const cancelled = await this.deps.venue.cancelStop(record.symbol, clientOrderId).then(
      // The venue no longer knows it: nothing locks the coins.
      (stop) => stop ?? { status: 'cancelled' as const, qty: 0 },
      (err: unknown) => {
        this.deps.log.warn(
          { positionId: record.positionId, error: String(err) },
          'cancel before sale failed',
        );
        return undefined;
      },
    );
    if (cancelled?.status !== 'cancelled' && cancelled?.status !== 'rejected') return null;
    record.clientOrderId = null;
    record.verified = false;
    await this.ctx.save(record);
    this.ctx.updateCoverage();
    return stopFilled(cancelled);
  }

  /**
   * The stop cancelled for a sale of everything had sold `sold` first: the sale sells only the rest.
   * False when nothing is left: the position closes by the stop's fill, which reconciliation books.
   */
  private async soldByStop(record: StopRecord, sold: number): Promise<boolean> {
    const tp = record.takeProfit;
    const { stepSize } = await this.deps.venue.marketRules(record.symbol);
    const rest = restAfterStop(record.qty, sold, stepSize);
    await this.ctx.requestRecon(record, `stop filled ${sold} before its cancel for a sale`);
    record.qty = rest;
    if (rest > 0 && tp) {
      record.takeProfit = { ...tp, qty: rest };
      await this.ctx.save(record);
      return true;
    }
    record.takeProfit = null;
    await this.closes.awaitClosed(record, true);
    return false;
  }

  /**
   * The orders service's word on our take-profit, one event per chunk of its sale (a sale above the
   * venue's market maximum goes in chunks under its intent): the ladder moves once the chunks filled
   * all of it; a refused or cancelled chunk short of it puts the stop back on what was not sold.
   */
  async onOrder(order: OrderEvent): Promise<void> {
    const record = this.ctx.records.get(market(order.exchange, order.symbol));
    const tp = record?.takeProfit;
    if (!record || !tp || order.intentId !== closeIntentId(record.positionId, tp.purpose)) return;
    // Rules unreadable: fills on whole steps add up to the sale within float rounding.
    const stepSize = await this.deps.venue.marketRules(record.symbol).then(
      (rules) => rules.stepSize,
      () => tp.qty * 1e-9,
    );
    // The serial chain runs one event at a time: nothing changed the record while the rules were read.
    const progress = takeProfitProgress(tp, order, stepSize);
    if (progress.kind === 'sold') {
      this.failures.delete(failuresKey(record));
      record.takeProfit = null;
      record.ladder = { levels: record.ladder.levels, taken: tp.level };
      record.soldFrom = soldFrom(tp);
      const grown = grownAfterSale(tp.keep, tp.grown);
      // All of it sold: the record waits for the position to close, which retires any stop left.
      if (tp.keep === 0 && grown === null)
        record.closing = { sentAt: this.deps.clock.now(), attempts: 1, byVenue: false };
      await this.ctx.save(record);
      this.ctx.updateCoverage();
      // The position grew while it sold (a TWAP slice, an add): the stop covers what is held now.
      if (grown !== null) await this.coverGrowth(record, grown, `TP${tp.level} sold`, stepSize);
      return;
    }
    if (progress.kind === 'failed') {
      await this.takeProfitFailed(
        record,
        progress.unsold,
        `${order.status}${order.reason ? ` (${order.reason})` : ''}${order.detail ? `: ${order.detail}` : ''}`,
      );
      return;
    }
    if (progress.fills === tp.fills) return;
    // A chunk sold: the rest follows, so the wait for an answer starts again.
    record.takeProfit = { ...tp, fills: progress.fills, sentAt: this.deps.clock.now() };
    await this.ctx.save(record);
  }

  /**
   * A position event while a take-profit sells: what grew beside the sale (fills that are not the
   * position's own closes) is remembered, stored, for the stop to cover once the sale settles.
   */
  async positionSeen(record: StopRecord, qty: number, intentId: string | null | undefined): Promise<void> {
    const tp = record.takeProfit;
    if (!tp) return;
    const growth = seenWhileSelling(tp, tp.keep + tp.qty, { positionId: record.positionId, qty, intentId });
    if (growth.seen === tp.seen && growth.grown === tp.grown) return;
    record.takeProfit = { ...tp, ...growth };
    await this.ctx.save(record);
  }

  /** Moves the stop onto the `qty` held once a sale settled beside a growth. */
  private async coverGrowth(record: StopRecord, qty: number, why: string, stepSize: number): Promise<void> {
    const cover = roundDownToStep(qty, stepSize);
    if (this.hold.held(record)) {
      await this.hold.resized(record, cover);
      return;
    }
    await this.placement.replace(
      record,
      wantedStop(record).stopPrice,
      cover,
      `${why}; the position grew beside it: stop on ${cover}`,
    );
  }

  /** The take-profit did not sell (all of) its part: the stop covers it again, the ladder stays. */
  async takeProfitFailed(record: StopRecord, unsold: number, why: string): Promise<void> {
    const tp = record.takeProfit;
    if (!tp) return;
    record.takeProfit = null;
    record.soldFrom = soldFrom(tp);
    if (record.closing) {
      // The stop triggered while this sale of everything was out, and the sale was to be the close: it
      // failed, so the close goes now rather than after CLOSE_CONFIRM_MS.
      const rules = await this.deps.venue.marketRules(record.symbol);
      const rest = roundDownToStep(Math.max(0, unsold), rules.stepSize);
      // Not beside a kill's flatten, which sells it: after the hold the close is re-sent if need be.
      if (tp.keep === 0 && !record.closing.byVenue && rest > 0 && !this.hold.held(record)) {
        // Named after the sale it replaces: unique, and the same if this is redone after a crash.
        await this.closes.submitClose(record, rest, `trigger:${tp.purpose}`, undefined);
        record.closing = { ...record.closing, sentAt: this.deps.clock.now() };
      } else if (record.closing.byVenue && tp.keep > 0 && rest > 0) {
        // The venue executed the stop on what the sale kept: what the sale did not sell stays, under no
        // stop, and no close of ours is on its way (none goes out while a venue's fill waits to be
        // booked). It is what the position keeps once that fill is booked, closed then (it was waited
        // on for good, alerted only as an unbooked fill).
        await this.keptAfterExecution(record, record.closing, tp, rest, rules.stepSize);
        return;
      }
      // Otherwise a close is on its way: the position events that follow size the re-sent close.
      await this.ctx.save(record);
      return;
    }
    const failures = addTakeProfitFailure(this.failures.get(failuresKey(record)), this.deps.clock.now());
    this.failures.set(failuresKey(record), failures);
    const rules = await this.deps.venue.marketRules(record.symbol);
    // What the stop still covers: what stays of a partial take-profit, nothing of a whole sale.
    const covered = tp.keep > 0 ? record.qty : 0;
    // And what grew beside the sale, which the stop did not cover while it was out.
    const qty = roundDownToStep(covered + Math.max(0, unsold) + Math.max(0, tp.grown), rules.stepSize);
    if (this.hold.held(record)) {
      // A kill's flatten sells the position (and likely cancelled this sale): no stop of ours goes
      // back beside it. The hold's end checks the stop of what is left and places it again.
      await this.hold.resized(record, qty);
      return;
    }
    this.deps.log.warn({ positionId: record.positionId, level: tp.level, why }, 'take-profit not filled');
    const retried =
      failures.count < 2
        ? 'tried again at the next price at its level'
        : `failed ${failures.count} times in a row: tried again in ${this.deps.config.CLOSE_CONFIRM_MS} ms at the earliest`;
    await this.ctx.alert(
      record,
      'take_profit_failed',
      `${record.symbol} ${record.side}: TP${tp.level} selling ${tp.qty} ${why}; the stop covers ${qty} again; ${retried}`,
      'warning',
    );
    await this.placement.replace(
      record,
      wantedStop(record).stopPrice,
      qty,
      `TP${tp.level} not filled: stop back on ${qty}`,
    );
  }

  /**
   * A take-profit refused after the venue executed the stop on the `keep` it kept: our books hold `rest`
   * of the sale beside that stop's fill. They hold as much as last seen while the sale was out (none
   * seen: what it started from); booked already (that size is `rest`), it is closed now, else once a
   * position event shows the fill booked (StopTriggers.onExecutedPosition).
   */
  private async keptAfterExecution(
    record: StopRecord,
    closing: NonNullable<StopRecord['closing']>,
    tp: NonNullable<StopRecord['takeProfit']>,
    rest: number,
    stepSize: number,
  ): Promise<void> {
    const keeps = roundDownToStep((closing.keeps ?? 0) + rest, stepSize);
    record.qty = roundDownToStep(tp.seen ?? tp.keep + tp.qty, stepSize);
    // Not beside a kill's flatten, which sells it.
    const booked = record.qty >= stepSize && record.qty <= keeps + stepSize / 2;
    if (booked && !this.hold.held(record)) {
      await this.closes.submitClose(record, record.qty, `rest:${record.seq}`, undefined);
      await this.closes.awaitClosed(record, false);
      return;
    }
    record.closing = { ...closing, keeps };
    await this.ctx.save(record);
  }

  /**
   * After a restart, a take-profit in progress: one whose stop was never moved was never sent and is
   * dropped (the ladder stays); otherwise it is sent again, which the orders service ignores if it
   * already has it, and its order event settles it.
   */
  async resumeTakeProfit(record: StopRecord): Promise<void> {
    const tp = record.takeProfit;
    if (!tp) return;
    if (!takeProfitSent(record, tp, this.deps.venue.supportsReduceOnly)) {
      record.takeProfit = null;
      await this.ctx.save(record);
      return;
    }
    record.takeProfit = { ...tp, sentAt: this.deps.clock.now() };
    await this.ctx.save(record);
    await this.closes.submitClose(record, tp.qty, tp.purpose, undefined);
  }
}

/**
 * The position's size before a take-profit's sale, growth beside it included: what a late position
 * event of that sale may report at most (core positionChange).
 */
function soldFrom(tp: NonNullable<StopRecord['takeProfit']>): number {
  return tp.keep + tp.qty + Math.max(0, tp.grown);
}

/**
 * Whose take-profit failures: the position and the intent whose ladder it takes, so the next position of
 * the slot does not wait out the failures of the last.
 */
function failuresKey(record: Pick<StopRecord, 'positionId' | 'intentId'>): string {
  return `${record.positionId}|${record.intentId ?? ''}`;
}
