import { restAfterStop, stopFilled, stopOrderId, verifyStop } from '@ballast/core';
import { type StopOrder, VenueError } from '@ballast/exchange';
import type { Closes } from './closes';
import { retryDelayMs } from './retry-delay';
import { type StopContext, StopPart, type StopRecordStore } from './stop-context';
import {
  type Leftover,
  leftoverRecord,
  leftoverRow,
  leftoverStop,
  type RowKey,
  type StopRecord,
  wantedStop,
} from './stop-record';
import type { StopTriggers } from './stop-triggers';

/**
 * One placement: verified, or why not, whether another attempt may do better, and whether the stop
 * may rest under this attempt's id all the same (`unknown`: the next attempt keeps that id, so the
 * venue answers it with the stop it holds, never a second one).
 */
type PlaceAttempt = { placed: true } | PlaceFailure;
type PlaceFailure = { placed: false; error: string; retry: boolean; unknown: boolean };

/**
 * A placement the venue did not answer (a timeout, a dropped connection, an error of no known kind):
 * it may have taken the order all the same. A refusal it answered (funds, precision, rate limit) did not.
 */
function unanswered(err: unknown): boolean {
  return !(err instanceof VenueError) || err.reason === 'network' || err.reason === 'unknown';
}

/** What a read-back of a live stop found. */
export type VerifyOutcome = 'ok' | 'lost' | 'executed' | 'error';

/**
 * The exchange-side stop of each position: placed with retries and read back (the position is
 * flattened when that cannot be done), moved by cancel and place, checked against the venue, and
 * cancelled when the position is flat. A stop whose fate is unknown (a placement unanswered, a cancel
 * failed) is never replaced by a second one: it is looked up under its own id, and a move waits for
 * its cancel.
 */
export class StopPlacement extends StopPart {
  /** Stops of retired records whose cancel failed, by client id: cancelled again at the periodic check. */
  private readonly leftovers = new Map<string, Leftover>();

  constructor(
    ctx: StopContext,
    private readonly closes: Closes,
    private readonly triggers: StopTriggers,
  ) {
    super(ctx);
  }

  /** Places the record's stop with retries, reads it back; flattens when that cannot be done. */
  async place(record: StopRecord, why: string): Promise<boolean> {
    const { config, metrics } = this.deps;
    let last = await this.sentBefore(record);
    await this.freeLockedCoins(record);
    for (let attempt = 1; attempt <= config.PLACE_ATTEMPTS; attempt++) {
      // A stop that may rest under the last id is asked for under it again, never doubled.
      if (!last?.unknown) record.seq += 1;
      const outcome = await this.attempt(record, why, attempt);
      if (outcome.placed) return true;
      last = outcome;
      if (!outcome.retry) break;
      if (attempt < config.PLACE_ATTEMPTS) {
        metrics.placements.inc({ outcome: 'retried' });
        await this.deps.sleep(retryDelayMs(config.RETRY_BASE_MS, attempt));
      }
    }
    record.verified = false;
    record.clientOrderId = last?.unknown ? await this.cancelUnknown(record) : null;
    record.sending = null;
    await this.closes.failAndFlatten(record, `stop placement failed: ${last?.error ?? 'no attempt'}`);
    return false;
  }

  /**
   * A placement sent before a crash, its answer never stored (`sending`): the venue may hold that stop.
   * The first attempt asks for it under the same id (a stop the venue holds is refused as a duplicate
   * and adopted), as after a placement left unanswered. One sent under an id no longer the record's
   * seq's (a close took the seq on since) is cancelled instead; one whose cancel fails is kept as a
   * leftover in a row of its own, cancelled again at the periodic check and after a restart (on spot it
   * would lock the coins every later stop and close of the market needs).
   */
  private async sentBefore(record: StopRecord): Promise<PlaceFailure | undefined> {
    const sent = record.sending;
    if (!sent) return undefined;
    const error = `placement ${sent} sent before a restart, its answer unknown`;
    if (sent === stopOrderId(this.deps.config.CLIENT_ID_PREFIX, record.positionId, record.seq))
      return { placed: false, error, retry: true, unknown: true };
    const cancelled = await this.ctx.cancelStop(
      record,
      sent,
      'cancel of a stop sent before a restart failed',
    );
    if (cancelled.failed) await this.keepSentStop(record, sent);
    record.sending = null;
    return undefined;
  }

  /**
   * A stop sent under an earlier id that could not be cancelled: stored apart, so a restart finds it,
   * and remembered. A failed write is logged, not thrown: the placement of the position's stop goes on.
   */
  private async keepSentStop(record: StopRecord, clientOrderId: string): Promise<void> {
    if (this.leftovers.has(clientOrderId)) return;
    const left = leftoverRecord(record, clientOrderId);
    this.leftovers.set(clientOrderId, left);
    await this.deps.store.save(leftoverRow(left), 'active', left).catch((err: unknown) => {
      this.deps.log.warn(
        { err, positionId: record.positionId, clientOrderId },
        'stop left to cancel not stored: cancelled again while this process runs',
      );
    });
  }

  /**
   * On spot a leftover sell stop of the market locks the coins the new stop needs: it is cancelled
   * first, where it can be. Only tidying: whatever fails here is logged and left to the periodic check,
   * never kept from the placement.
   */
  private async freeLockedCoins(record: StopRecord): Promise<void> {
    if (this.deps.venue.supportsReduceOnly) return;
    try {
      await this.cancelLeftovers(record);
    } catch (err) {
      this.deps.log.warn(
        { err, positionId: record.positionId },
        'leftover stops of the market not cancelled before placing; placing anyway',
      );
    }
  }

  /**
   * Places the stop under the id of the record's seq and reads it back. A stop the read-back refutes is
   * cancelled and tried again; a venue error is tried again only when the venue says it may pass. Once
   * the venue holds the stop, a failure to store or read it back leaves it the record's: the next
   * attempt asks for it under the same id.
   */
  private async attempt(record: StopRecord, why: string, attempt: number): Promise<PlaceAttempt> {
    const { config, metrics } = this.deps;
    const clientOrderId = stopOrderId(config.CLIENT_ID_PREFIX, record.positionId, record.seq);
    // Stored before it is sent: a crash before its answer is stored leaves the id to ask for again.
    record.sending = clientOrderId;
    try {
      await this.ctx.save(record);
    } catch (err) {
      record.sending = null;
      return this.failed(record, attempt, err, { retry: true, unknown: false });
    }
    const refused = await this.send(record, clientOrderId, attempt);
    if (refused) {
      if (!refused.unknown) record.sending = null;
      return refused;
    }
    try {
      record.clientOrderId = clientOrderId;
      record.sending = null;
      await this.ctx.save(record);
      await this.ctx.publish(record, 'placed', why);
      const check = verifyStop(
        { side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice },
        await this.ctx.readBack(record.symbol, clientOrderId),
      );
      if (check.ok) {
        record.verified = true;
        await this.ctx.save(record);
        metrics.placements.inc({ outcome: 'verified' });
        await this.ctx.publish(record, 'verified', 'read back from the venue: open, qty and price match');
        this.ctx.updateCoverage();
        return { placed: true };
      }
      metrics.placements.inc({ outcome: 'verify_failed' });
      const cancel = await this.ctx.cancelStop(record, clientOrderId, 'cancel of a refuted stop failed');
      return { placed: false, error: `read-back: ${check.detail}`, retry: true, unknown: cancel.failed };
    } catch (err) {
      return this.failed(record, attempt, err, { retry: true, unknown: true });
    }
  }

  /**
   * Sends the stop; undefined once the venue holds it. A failure is looked up under the id sent: the
   * venue may hold the stop all the same (it took it before a timeout; an id sent again after a crash is
   * refused as a duplicate), and then it is the record's. A lookup that fails leaves it unknown.
   */
  private async send(
    record: StopRecord,
    clientOrderId: string,
    attempt: number,
  ): Promise<PlaceFailure | undefined> {
    try {
      await this.deps.venue.placeStop({
        clientOrderId,
        symbol: record.symbol,
        side: record.stopSide,
        qty: record.qty,
        stopPrice: record.stopPrice,
        reduceOnly: this.deps.venue.supportsReduceOnly,
      });
      return undefined;
    } catch (err) {
      const found = await this.ctx.readBack(record.symbol, clientOrderId).then(
        (stop) => ({ read: true as const, stop }),
        () => ({ read: false as const }),
      );
      if (found.read && found.stop?.status === 'open') {
        this.deps.log.warn(
          { positionId: record.positionId, clientOrderId, error: String(err) },
          'stop placement failed, yet the venue holds the stop: adopted',
        );
        return undefined;
      }
      // Unanswered, and not yet known under its id: the order may still land, so the next attempt sends
      // the same id (a late order then makes the venue refuse it as a duplicate, and it is adopted).
      const mayLand = found.read && found.stop === undefined && unanswered(err);
      // The venue knows the id (a duplicate of a stop no longer open): a new id may pass.
      const retry =
        !found.read || found.stop !== undefined || mayLand || (err instanceof VenueError && err.retryable);
      return this.failed(record, attempt, err, { retry, unknown: !found.read || mayLand });
    }
  }

  private failed(
    record: StopRecord,
    attempt: number,
    err: unknown,
    outcome: Pick<PlaceFailure, 'retry' | 'unknown'>,
  ): PlaceFailure {
    const error = err instanceof Error ? err.message : String(err);
    this.deps.log.warn(
      { positionId: record.positionId, attempt, error, ...outcome },
      'stop placement failed',
    );
    return { placed: false, error, ...outcome };
  }

  /**
   * Placement gave up on a stop that may rest under the record's last id: it is cancelled before the
   * position is flattened (on spot it locks the coins the close sells). The id stays the record's when
   * the cancel fails, so retirement cancels it once the position is flat.
   */
  private async cancelUnknown(record: StopRecord): Promise<string | null> {
    const clientOrderId = stopOrderId(this.deps.config.CLIENT_ID_PREFIX, record.positionId, record.seq);
    const cancel = await this.ctx.cancelStop(
      record,
      clientOrderId,
      'cancel of a stop that may rest failed',
      'error',
    );
    return cancel.failed ? clientOrderId : null;
  }

  /**
   * Moves the stop: cancel the old order (spot locks the base asset), place the new one. An old stop
   * whose cancel fails may still rest: it stays the record's, unchanged, and the move is stored as the
   * record's `pendingMove`, made at the next periodic check or start (and by the next trail or resize
   * that asks for one, which starts from it). `selling` is what a sale is to take from the position once
   * the stop is moved onto `qty` (a take-profit's piece): when the old stop sold part of the position
   * before its cancel, that sale is not to go (the caller gives it up), so the stop covers all that is
   * held. What the old stop sold is returned (0: nothing).
   */
  async replace(
    record: StopRecord,
    stopPrice: number,
    qty: number,
    why: string,
    selling = 0,
  ): Promise<number> {
    let sold = 0;
    if (record.clientOrderId) {
      const cancelled = await this.ctx.cancelStop(record, record.clientOrderId, 'cancel before move failed');
      if (cancelled.failed) {
        record.pendingMove = { stopPrice, qty, why: why.slice(0, 300) };
        await this.ctx.save(record);
        // A move onto a growth leaves the growth bare meanwhile: the gauge shows it (core stopCovers).
        this.ctx.updateCoverage();
        return 0;
      }
      if (cancelled.stop?.status === 'triggered') {
        // The venue is executing it: no longer protection that rests. Its read-back follows it. A move
        // onto a grown position is kept as the size the record wants: when the old, smaller stop has
        // executed, the rest is closed (StopTriggers.executed), not left bare.
        record.pendingMove = qty > record.qty ? { stopPrice, qty, why: why.slice(0, 300) } : null;
        record.verified = false;
        this.ctx.updateCoverage();
        await this.ctx.save(record);
        return 0;
      }
      sold = stopFilled(cancelled.stop);
      if (sold > 0) qty = await this.afterCancelledFill(record, cancelled.stop, qty + selling, sold);
    }
    record.pendingMove = null;
    const moved = record.clientOrderId !== null && stopPrice !== record.stopPrice;
    record.stopPrice = stopPrice;
    record.qty = qty;
    record.verified = false;
    if (qty <= 0) {
      await this.retire(record, 'nothing left to protect');
      return sold;
    }
    if ((await this.place(record, why)) && moved) await this.ctx.publish(record, 'moved', why);
    return sold;
  }

  /**
   * A stop-limit that triggered and sold `sold` of the `qty` held before our cancel took the rest off:
   * the moved stop covers what is left, and reconciliation is asked to book the sale. A stop on the whole
   * size would be refused (the coins are gone), and the service would then flatten all of it.
   */
  private async afterCancelledFill(
    record: StopRecord,
    stop: StopOrder | undefined,
    qty: number,
    sold: number,
  ): Promise<number> {
    const { stepSize } = await this.deps.venue.marketRules(record.symbol);
    const left = restAfterStop(qty, sold, stepSize);
    await this.ctx.publish(
      record,
      'triggered',
      `stop ${stop?.clientOrderId} sold ${sold} before its cancel: the moved stop covers the ${left} left`,
    );
    await this.ctx.requestRecon(record, `stop ${stop?.clientOrderId} partly filled before its cancel`);
    return left;
  }

  /** Drops the move waiting for its old stop's cancel: what asked for it no longer wants it. */
  forgetMove(record: StopRecord): void {
    record.pendingMove = null;
  }

  /**
   * The position is flat (or being closed): cancel any resting stop and close the record. A stop whose
   * cancel fails is remembered, its record stored active with nothing to protect (qty 0), and it is
   * cancelled again at the periodic check and at start.
   */
  async retire(record: StopRecord, why: string, cancel = true): Promise<void> {
    this.forgetMove(record);
    const left =
      cancel && record.clientOrderId ? await this.cancelRetired(record, record.clientOrderId, why) : false;
    this.ctx.records.delete(record.positionId);
    if (!left) await this.deps.store.save(record, 'closed', { ...record, verified: false });
    this.ctx.updateCoverage();
  }

  /** A stored record of a flat position whose stop is still to be cancelled (start): cancelled at the next check. */
  reloadLeftover(record: Leftover): void {
    this.leftovers.set(record.clientOrderId, record);
  }

  /**
   * The slot's next position is about to take the slot's row: a leftover still to be cancelled that is
   * stored there moves to a row of its own first (leftoverRow), so a restart still finds and cancels
   * it. One no longer remembered here was cancelled already: its row is done with.
   */
  async keepLeftover(row: Awaited<ReturnType<StopRecordStore['get']>>): Promise<void> {
    const state = row?.status === 'active' ? row.state : undefined;
    if (!state || !leftoverStop(state) || !this.leftovers.has(state.clientOrderId)) return;
    await this.deps.store.save(leftoverRow(state), 'active', state);
  }

  /**
   * Cancels again the stops of retired records whose cancel failed (the periodic check, start; those of
   * one market before a stop is placed there). Once
   * cancelled its rows are closed: its own, when the slot's next position took the slot's row, and the
   * slot's row unless a new position of the slot has a record since.
   */
  async cancelLeftovers(market?: Pick<StopRecord, 'exchange' | 'symbol'>): Promise<void> {
    for (const [clientOrderId, left] of [...this.leftovers]) {
      if (market && (left.exchange !== market.exchange || left.symbol !== market.symbol)) continue;
      if (await this.cancelRetired(left, clientOrderId, 'position closed earlier')) continue;
      await this.closeLeftoverRow(left, leftoverRow(left));
      if (!this.ctx.records.has(left.positionId) && !this.ctx.unplanned.has(left.positionId))
        await this.closeLeftoverRow(left, left);
    }
  }

  /**
   * Closes the row `key` only while it is still the leftover: a later position of the slot may have
   * opened and closed since, and its row (a higher seq, perhaps a leftover of its own) stays as it is.
   */
  private async closeLeftoverRow(left: Leftover, key: RowKey): Promise<void> {
    const stored = await this.deps.store.get(key.positionId);
    const state = stored?.status === 'active' ? stored.state : undefined;
    if (state?.clientOrderId === left.clientOrderId && state.qty === 0)
      await this.deps.store.save(key, 'closed', left);
  }

  /** Cancels a retired record's stop; true when the cancel failed and the stop is left for later. */
  private async cancelRetired(record: StopRecord, clientOrderId: string, why: string): Promise<boolean> {
    const cancelled = await this.ctx.cancelStop(
      record,
      clientOrderId,
      'cancel at retirement failed',
      'error',
    );
    if (cancelled.failed) {
      if (!this.leftovers.has(clientOrderId)) {
        const left = leftoverRecord(record, clientOrderId);
        // Stored first: a restart finds the stop and cancels it.
        await this.deps.store.save(left, 'active', left);
        this.leftovers.set(clientOrderId, left);
      }
      return true;
    }
    this.leftovers.delete(clientOrderId);
    if (cancelled.stop) await this.ctx.publish({ ...record, clientOrderId }, 'cancelled', why);
    return false;
  }

  /**
   * At start: a stop the venue still holds as recorded is verified; one missing or wrong is re-placed,
   * one the venue executed or triggered meanwhile is followed. One that cannot be read stays the
   * record's, unverified, for the periodic check.
   */
  async verifyAtStart(record: StopRecord): Promise<void> {
    let live: StopOrder | undefined;
    if (record.clientOrderId)
      try {
        live = await this.ctx.readBack(record.symbol, record.clientOrderId);
      } catch (err) {
        // Unknown, not missing: a stop re-placed beside one that rests would lock the coins twice.
        record.verified = false;
        this.deps.log.warn(
          { positionId: record.positionId, error: String(err) },
          'stop not readable at start; the periodic check reads it again',
        );
        return;
      }
    if (live?.status === 'triggered') {
      // The venue acted on it while we were down: followed as the periodic check follows it (what it
      // sold is awaited in our books, the rest closed), not re-placed: a stop-limit that sold part and
      // rests past its limit was cancelled and a stop for the whole position refused (its coins sold),
      // which flattened all of it.
      await this.triggers.onStopTriggered(record, live, true);
      return;
    }
    const check = verifyStop({ side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice }, live);
    const move = record.pendingMove;
    if (check.ok) {
      record.verified = true;
      await this.ctx.save(record);
      await this.ctx.publish(record, 'verified', 'stop found live on the venue at start');
      // A move whose cancel failed before the restart is made now.
      if (move) await this.replace(record, move.stopPrice, move.qty, `${move.why} (retried at start)`);
      return;
    }
    this.deps.log.warn(
      { positionId: record.positionId, reason: check.reason },
      'stop missing on the venue; re-placing',
    );
    record.verified = false;
    const { stopPrice, qty } = wantedStop(record);
    await this.replace(record, stopPrice, qty, `re-placed at start: ${check.detail}`);
  }

  /** Reads one live stop back: verified, lost (re-placed), executed (followed), or unreadable. */
  async verifyOne(record: StopRecord, clientOrderId: string): Promise<VerifyOutcome> {
    const { metrics, log } = this.deps;
    let live: StopOrder | undefined;
    try {
      live = await this.ctx.readBack(record.symbol, clientOrderId);
    } catch (err) {
      metrics.verifications.inc({ outcome: 'error' });
      log.warn({ positionId: record.positionId, error: String(err) }, 'stop read-back failed');
      return 'error';
    }
    if (live?.status === 'triggered') {
      // A pending move is settled by the execution: what it asked for beyond the stop is closed.
      metrics.verifications.inc({ outcome: 'executed' });
      // Still unfilled at a periodic check: the price has moved past its limit.
      await this.triggers.onStopTriggered(record, live, true);
      return 'executed';
    }
    const check = verifyStop({ side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice }, live);
    const move = record.pendingMove;
    if (check.ok) {
      metrics.verifications.inc({ outcome: 'ok' });
      if (!record.verified) {
        record.verified = true;
        await this.ctx.save(record);
        this.ctx.updateCoverage();
      }
      if (move) await this.replace(record, move.stopPrice, move.qty, `${move.why} (retried)`);
      return 'ok';
    }
    metrics.verifications.inc({ outcome: 'lost' });
    record.verified = false;
    await this.ctx.save(record);
    this.ctx.updateCoverage();
    log.error({ positionId: record.positionId, reason: check.reason }, 'live stop lost on the venue');
    await this.ctx.alert(
      record,
      'stop_lost',
      `${record.symbol} ${record.side} ${record.qty}: stop ${clientOrderId} no longer live (${check.detail}); re-placing`,
    );
    const { stopPrice, qty } = wantedStop(record);
    await this.replace(record, stopPrice, qty, `re-placed after check: ${check.detail}`);
    return 'lost';
  }
}
