import { derivedId, type Envelope, Subjects, subject } from '@ballast/contracts';
import { closeIntentId, overdue, restAfterStop, stopFilled, takeProfitSold } from '@ballast/core';
import type { FlattenHold } from './flatten-hold';
import { type StopContext, StopPart } from './stop-context';
import type { StopRecord } from './stop-record';
import type { TakeProfits } from './take-profits';

/** A full close on its way, as its record keeps it. */
type Closing = NonNullable<StopRecord['closing']>;

/**
 * Closing orders and their confirmation. Every close (flatten, take-profit, local stop, paper trigger)
 * is a reduce-only market `ord.cmd` submit through the orders service, whose id repeats on redelivery;
 * a full close keeps the record, unprotected, until the position is reported closed, and is re-sent
 * when that does not happen in CLOSE_CONFIRM_MS.
 */
export class Closes extends StopPart {
  constructor(
    ctx: StopContext,
    private readonly takeProfits: Pick<TakeProfits, 'takeProfitFailed'>,
    private readonly hold: Pick<FlattenHold, 'held'>,
  ) {
    super(ctx);
  }

  /** A reduce-only market order through the orders service; the id repeats on redelivery. */
  async submitClose(
    record: StopRecord,
    qty: number,
    purpose: string,
    cause: Envelope<unknown> | undefined,
  ): Promise<void> {
    const intentId = closeIntentId(record.positionId, purpose);
    await this.deps.bus.publish(
      subject(Subjects.orderCommand, {}),
      {
        kind: 'submit',
        intentId,
        clientOrderId: `${this.deps.config.CLIENT_ID_PREFIX}x${derivedId(intentId)}`,
        exchange: record.exchange,
        symbol: record.symbol,
        side: record.stopSide,
        type: 'market',
        qty,
        price: null,
        triggerPrice: null,
        reduceOnly: true,
        maxSlippageBps: null,
        execution: { algo: 'direct' },
      },
      cause ? { causedBy: cause } : {},
    );
  }

  /**
   * No stop could be placed or planned: the position is closed at market rather than left bare. The
   * close is awaited as any full close is (confirmCloses): re-sent when the position is not reported
   * closed in CLOSE_CONFIRM_MS, then alerted on.
   */
  async failAndFlatten(record: StopRecord, why: string): Promise<void> {
    record.verified = false;
    record.closing = { sentAt: this.deps.clock.now(), attempts: 1, byVenue: false };
    this.deps.metrics.placements.inc({ outcome: 'failed' });
    this.deps.log.error({ positionId: record.positionId, why }, 'position unprotected: flattening');
    this.ctx.updateCoverage();
    await this.ctx.publish(record, 'failed', why);
    await this.submitClose(record, record.qty, `flatten:${record.seq}`, undefined);
    await this.ctx.publish(record, 'flattened', `reduce-only market close of ${record.qty} sent: ${why}`);
    await this.ctx.alert(
      record,
      'stop_placement_failed',
      `${record.symbol} ${record.side} ${record.qty} could not be protected and is being flattened: ${why}`,
    );
    await this.ctx.save(record);
  }

  /**
   * A full close was sent and the stop is gone: the record stays, unprotected, until the position
   * is reported closed, so a refused or lost close is noticed and re-sent. `left` is a stop whose
   * cancel failed: kept, to be cancelled before the close is re-sent (on spot it locks the coins).
   * `keeps`, when the venue executed the stop: what the position keeps once that fill is booked.
   */
  async awaitClosed(
    record: StopRecord,
    byVenue: boolean,
    left: string | null = null,
    keeps = 0,
  ): Promise<void> {
    record.verified = false;
    record.clientOrderId = left;
    // No stop is wanted while the position closes: a move waiting for its old stop's cancel is moot.
    record.pendingMove = null;
    record.closing = { sentAt: this.deps.clock.now(), attempts: 1, byVenue, ...(keeps > 0 ? { keeps } : {}) };
    await this.ctx.save(record);
    this.ctx.updateCoverage();
  }

  /** Whether confirmCloses has anything to do: checked per price, without copying the records. */
  closeOverdue(): boolean {
    const now = this.deps.clock.now();
    for (const r of this.ctx.records.values())
      if (overdue(r, now, this.deps.config.CLOSE_CONFIRM_MS)) return true;
    return false;
  }

  /**
   * Runs on every clock tick the service sees (trades, candles), so it follows a backtest's virtual
   * clock too. A close still unconfirmed after CLOSE_CONFIRM_MS is re-sent under a new client id
   * (the orders service drops a repeated id); after CLOSE_ATTEMPTS closes only the alert repeats.
   * None is re-sent while a kill's flatten sells the position (FlattenHold): its end follows it up.
   */
  async confirmCloses(): Promise<void> {
    const { config, clock } = this.deps;
    const now = clock.now();
    for (const record of [...this.ctx.records.values()]) {
      if (!overdue(record, now, config.CLOSE_CONFIRM_MS)) continue;
      const closing = record.closing;
      if (!closing) {
        const tp = record.takeProfit;
        await this.takeProfits.takeProfitFailed(
          record,
          tp ? tp.qty - takeProfitSold(tp.fills) : 0,
          `unanswered after ${config.CLOSE_CONFIRM_MS} ms`,
        );
        continue;
      }
      if (this.hold.held(record)) continue;
      const waited = now - closing.sentAt;
      if (closing.byVenue) await this.awaitRecorded(record, closing, waited);
      else if (closing.attempts >= config.CLOSE_ATTEMPTS) await this.cannotClose(record, closing, now);
      else await this.resendClose(record, closing, now, waited);
    }
  }

  /** CLOSE_ATTEMPTS closes went unconfirmed: none more is sent, the alert repeats each CLOSE_CONFIRM_MS. */
  private async cannotClose(record: StopRecord, closing: Closing, now: number): Promise<void> {
    record.closing = { ...closing, sentAt: now };
    await this.ctx.save(record);
    this.deps.log.error(
      { positionId: record.positionId, attempts: closing.attempts },
      'position cannot be closed',
    );
    await this.ctx.alert(
      record,
      'close_failed',
      `${record.symbol} ${record.side} ${record.qty} cannot be closed: ${closing.attempts} closes sent, position still open, no stop`,
    );
  }

  /**
   * The close is sent again, under a new client id: the orders service drops a repeated one. A stop
   * whose cancel failed earlier is cancelled again first: on spot it locks the coins the close sells.
   */
  private async resendClose(
    record: StopRecord,
    closing: Closing,
    now: number,
    waited: number,
  ): Promise<void> {
    const left = record.clientOrderId ? await this.cancelLeft(record, closing) : 'close';
    if (left === 'closed_by_venue') return;
    if (left === 'resting') return this.holdBehindResting(record, closing, now, waited);
    record.seq += 1;
    await this.submitClose(record, record.qty, `close:${record.seq}`, undefined);
    record.closing = { ...closing, sentAt: now, attempts: closing.attempts + 1 };
    await this.ctx.save(record);
    this.deps.log.error(
      { positionId: record.positionId, attempt: record.closing.attempts, waitedMs: waited },
      'close not confirmed; re-sent',
    );
    await this.ctx.alert(
      record,
      'close_unconfirmed',
      `${record.symbol} ${record.side} ${record.qty} still open ${waited} ms after its close, no stop: close ${record.closing.attempts} of ${this.deps.config.CLOSE_ATTEMPTS} sent`,
    );
  }

  /**
   * Cancels the stop left from a failed cancel, before the close is re-sent, and reads what the venue
   * says it sold meanwhile: only the rest is closed (record.qty). `closed_by_venue` when the stop sold
   * all of it: the position closes by the venue's execution, so no close goes out and reconciliation is
   * asked to book the fill (a close would sell coins the account no longer holds). `resting` when the
   * stop is triggered and its limit still rests: it locks the coins a close would sell (refused on
   * spot, sold twice once the limit fills), so none goes out until a cancel takes the limit off.
   */
  private async cancelLeft(
    record: StopRecord,
    closing: Closing,
  ): Promise<'close' | 'resting' | 'closed_by_venue'> {
    const id = record.clientOrderId;
    if (!id) return 'close';
    const cancel = await this.ctx.cancelStop(record, id, 'cancel before a re-sent close failed');
    if (cancel.failed) return 'close';
    const filled = stopFilled(cancel.stop);
    // What it sold is counted once it can sell no more: a resting limit's fill still grows.
    if (cancel.stop?.status === 'triggered' && filled < cancel.stop.qty - 1e-12) return 'resting';
    record.clientOrderId = null;
    if (filled <= 0) return 'close';
    const { stepSize } = await this.deps.venue.marketRules(record.symbol);
    record.qty = restAfterStop(record.qty, filled, stepSize);
    await this.ctx.requestRecon(record, `stop ${id} filled ${filled} before the re-sent close`);
    if (record.qty > 0) return 'close';
    record.closing = { ...closing, sentAt: this.deps.clock.now(), byVenue: true };
    await this.ctx.save(record);
    await this.ctx.publish(record, 'triggered', `venue executed the stop (${cancel.stop?.venueOrderId})`);
    return 'closed_by_venue';
  }

  /**
   * The stop is triggered, not filled in full, its limit resting: no close goes out beside it. The wait
   * counts as an attempt, so a limit that cannot be taken off ends in close_failed as a lost close does.
   */
  private async holdBehindResting(
    record: StopRecord,
    closing: Closing,
    now: number,
    waited: number,
  ): Promise<void> {
    record.closing = { ...closing, sentAt: now, attempts: closing.attempts + 1 };
    await this.ctx.save(record);
    this.deps.log.warn(
      { positionId: record.positionId, clientOrderId: record.clientOrderId, waitedMs: waited },
      'triggered stop still rests; close held until it is cancelled',
    );
    await this.ctx.alert(
      record,
      'close_unconfirmed',
      `${record.symbol} ${record.side} ${record.qty} still open ${waited} ms after its close: its triggered stop ${record.clientOrderId} still rests and is cancelled again before a close is sent (${record.closing.attempts} of ${this.deps.config.CLOSE_ATTEMPTS})`,
    );
  }

  /**
   * The venue executed the stop but our books still hold the position: the fill has not been recorded
   * yet. A close would sell coins the account no longer has, so reconciliation is asked again instead.
   */
  private async awaitRecorded(record: StopRecord, closing: Closing, waited: number): Promise<void> {
    record.closing = { ...closing, sentAt: this.deps.clock.now(), attempts: closing.attempts + 1 };
    await this.ctx.save(record);
    this.deps.log.warn(
      { positionId: record.positionId, waitedMs: waited },
      'executed stop not yet in our books',
    );
    await this.ctx.requestRecon(record, `position still open ${waited} ms after the venue executed its stop`);
    if (closing.attempts >= this.deps.config.CLOSE_ATTEMPTS)
      await this.ctx.alert(
        record,
        'close_unrecorded',
        `${record.symbol} ${record.side} ${record.qty}: the venue executed the stop ${waited} ms ago and our books still hold the position; reconciliation asked again`,
      );
  }
}
