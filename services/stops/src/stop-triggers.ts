import type { Envelope } from '@ballast/contracts';
import {
  executedPositionRead,
  isOwnClose,
  localStopDecision,
  pastLimit,
  restAfterStop,
  sellingAll,
  stopCrossed,
  stopFilled,
  type VenueStopState,
} from '@ballast/core';
import type { StopOrder } from '@ballast/exchange';
import type { Closes } from './closes';
import { type StopContext, StopPart } from './stop-context';
import { type StopRecord, wantedStop, watchedStop } from './stop-record';

/**
 * A price through a stop: the venue's trigger (a paper stop becomes a close; a live stop executes, or
 * stops past its limit and is cancelled and closed at market), and the local monitor, the second line
 * of defence when the venue did not act.
 */
export class StopTriggers extends StopPart {
  constructor(
    ctx: StopContext,
    private readonly closes: Closes,
  ) {
    super(ctx);
  }

  /**
   * A paper stop executed as a price printed (through its stop, no worse than its limit): its fill is a
   * market order, which the orders service (owner of the paper account) fills as a reduce-only close.
   * One past its limit rests triggered and unfilled, and the local monitor handles it as live.
   */
  async onVenueTrigger(stop: StopOrder, price: number, cause: Envelope<unknown>): Promise<void> {
    const record = [...this.ctx.records.values()].find((r) => r.clientOrderId === stop.clientOrderId);
    if (!record || record.closing) return;
    // The paper venue's stop executed as a market order; the paper account lives in the orders service.
    // A take-profit already selling everything is that order: a second would sell what is not held.
    const selling = sellingAll(record);
    // All the record wants covered: a growth whose move waited for this smaller stop's cancel is closed
    // with it, as the rest of a live stop executed smaller than the position is (executed).
    record.qty = wantedStop(record).qty;
    if (!selling) await this.closes.submitClose(record, record.qty, `trigger:${stop.clientOrderId}`, cause);
    record.verified = false;
    await this.ctx.publish(
      record,
      'triggered',
      `venue stop triggered at ${price}${selling ? ' while a take-profit sells the position' : ''}`,
    );
    await this.closes.awaitClosed(record, false);
  }

  /**
   * The venue triggered our stop. Executed in full: the position is closed on the venue, so no close
   * is sent; reconciliation is asked to record the fill, through which our books close the position.
   * Triggered but unfilled because the price went past its limit: the resting limit locks the coins,
   * so it is cancelled first, then what it did not fill is closed at market.
   */
  async onStopTriggered(
    record: StopRecord,
    stop: StopOrder,
    pastLimit: boolean,
    price?: number,
  ): Promise<void> {
    const filled = stop.filledQty ?? stop.qty;
    if (filled >= stop.qty - 1e-12) {
      await this.executed(record, stop, filled, price);
      return;
    }
    if (!pastLimit) return;
    const result = await this.ctx.cancelStop(
      record,
      stop.clientOrderId,
      'cannot cancel a stuck stop',
      'error',
    );
    if (result.failed || !result.stop) return;
    const cancelled = result.stop;
    const done = cancelled.filledQty ?? filled;
    if (cancelled.status === 'triggered' && done >= cancelled.qty - 1e-12) {
      await this.onStopTriggered(record, cancelled, pastLimit, price);
      return;
    }
    const at = price === undefined ? '' : ` at ${price}`;
    const detail = `stop ${stop.clientOrderId} triggered but past its limit${at} (${done} of ${stop.qty} filled): cancelled`;
    await this.closeRest(record, stop, done, detail);
  }

  /**
   * Executed in full on the venue: our books close the position once reconciliation records the fill.
   * A stop smaller than the position the record wants covered (it grew: an add whose stop move waited
   * on the old stop's cancel) leaves the rest, which is closed at market rather than left bare. Market
   * rules unreadable: the rest is waited for in our books (executedPositionRead) and closed then.
   */
  private async executed(record: StopRecord, stop: StopOrder, filled: number, price?: number): Promise<void> {
    const wanted = wantedStop(record).qty;
    const stepSize = await this.deps.venue.marketRules(record.symbol).then(
      (rules) => rules.stepSize,
      () => undefined,
    );
    if (stepSize !== undefined && restAfterStop(wanted, filled, stepSize) > 0) {
      const at = price === undefined ? '' : ` at ${price}`;
      const detail = `venue executed the stop (${stop.venueOrderId})${at} on ${filled} of the ${wanted} held`;
      await this.closeRest(record, stop, filled, detail, wanted);
      return;
    }
    await this.ctx.publish(record, 'triggered', `venue executed the stop (${stop.venueOrderId})`);
    record.qty = wanted;
    await this.closes.awaitClosed(record, true, null, Math.max(0, wanted - filled));
    await this.ctx.requestRecon(record, `stop ${stop.clientOrderId} executed on the venue`);
  }

  /**
   * A stop that sold `done` of the position (`qty`, by default the size the record wants covered)
   * before it was cancelled or executed: what it did not sell is closed at market.
   */
  private async closeRest(
    record: StopRecord,
    stop: StopOrder,
    done: number,
    detail: string,
    qty = wantedStop(record).qty,
  ): Promise<void> {
    const rules = await this.deps.venue.marketRules(record.symbol);
    const rest = restAfterStop(qty, done, rules.stepSize);
    await this.ctx.publish(record, 'triggered', `${detail}, closing ${rest} at market`);
    if (done > 0) await this.ctx.requestRecon(record, `stop ${stop.clientOrderId} partly filled`);
    record.qty = rest;
    if (rest > 0) await this.closes.submitClose(record, rest, `gap:${stop.clientOrderId}`, undefined);
    await this.closes.awaitClosed(record, false);
  }

  /**
   * A position event while the venue's execution of the stop waits to be booked (core
   * executedPositionRead): the record follows the size, and once the fill is booked with a lot or more
   * left, that rest is closed at market, as any close is awaited, rather than waited on for good.
   */
  async onExecutedPosition(
    record: StopRecord,
    qty: number,
    intentId: string | null | undefined,
  ): Promise<void> {
    const closing = record.closing;
    if (!closing?.byVenue) return;
    const { stepSize } = await this.deps.venue.marketRules(record.symbol);
    const read = executedPositionRead(
      { qty: record.qty, keeps: closing.keeps ?? 0 },
      qty,
      isOwnClose(record.positionId, intentId),
      stepSize,
    );
    record.qty = qty;
    if (!read.booked) {
      record.closing = { ...closing, keeps: read.keeps };
      await this.ctx.save(record);
      return;
    }
    await this.ctx.publish(
      record,
      'triggered',
      `the venue's execution of the stop is booked and ${qty} is left: closing it at market`,
    );
    await this.closes.submitClose(record, qty, `rest:${record.seq}`, undefined);
    await this.closes.awaitClosed(record, false);
  }

  /**
   * The second line of defence: the price went through the stop and the venue did not act. A tighter
   * stop waiting for the old one's cancel (a trail, an add's stop) is the one watched: the venue's
   * looser stop would let the price run on to it.
   */
  async watch(record: StopRecord, price: number): Promise<void> {
    const stopPrice = watchedStop(record);
    if (!stopCrossed(record.side, stopPrice, price)) return;
    const { state: venueStop, stop } = await this.venueStop(record);
    if (venueStop === 'triggered' && stop) {
      await this.onStopTriggered(
        record,
        stop,
        stop.limitPrice !== undefined && pastLimit(record.side, stop.limitPrice, price),
        price,
      );
      return;
    }
    const decision = localStopDecision({
      side: record.side,
      stopPrice,
      price,
      graceBps: this.deps.config.LOCAL_GRACE_BPS,
      venueStop,
    });
    if (!decision.close) return;
    // A stop whose cancel fails is kept: the close, if re-sent, cancels it again first.
    const cancel = record.clientOrderId
      ? await this.ctx.cancelStop(record, record.clientOrderId, 'cancel before a local close failed')
      : undefined;
    // The venue may have acted between the read-back and the cancel: its answer says what the stop sold.
    const answered = cancel?.failed ? undefined : cancel?.stop;
    if (answered?.status === 'triggered') {
      await this.onStopTriggered(record, answered, true, price);
      return;
    }
    if (answered && stopFilled(answered) > 0) {
      const detail = `local monitor: ${decision.reason}; stop ${answered.clientOrderId} cancelled (${stopFilled(answered)} of ${answered.qty} filled)`;
      await this.closeRest(record, answered, stopFilled(answered), detail);
      return;
    }
    const left = cancel?.failed ? record.clientOrderId : null;
    // With the stop gone the close sells all the record wants covered: a growth whose move waited for the
    // old stop's cancel (a smaller stop) is closed with it, not left bare until the close is re-sent.
    if (!left) record.qty = wantedStop(record).qty;
    await this.closes.submitClose(record, record.qty, `local:${record.seq}`, undefined);
    await this.ctx.publish(record, 'triggered', `local monitor: ${decision.reason}`);
    await this.closes.awaitClosed(record, false, left);
  }

  /** What the venue says of the record's stop, for the local monitor; unknown when it cannot be read. */
  private async venueStop(record: StopRecord): Promise<{ state: VenueStopState; stop?: StopOrder }> {
    if (!record.clientOrderId) return { state: 'missing' };
    try {
      const stop = await this.ctx.readBack(record.symbol, record.clientOrderId);
      if (!stop || stop.status === 'cancelled' || stop.status === 'rejected') return { state: 'missing' };
      return { state: stop.status === 'triggered' ? 'triggered' : 'open', stop };
    } catch {
      return { state: 'unknown' };
    }
  }
}
