import { stopOrderId, verifyStop } from '@ballast/core';
import { type StopOrder, VenueError } from '@ballast/exchange';
import type { Closes } from './closes';
import { type StopContext, StopPart } from './stop-context';
import type { StopRecord } from './stop-record';
import type { StopTriggers } from './stop-triggers';

/** One placement: verified, or why not and whether another attempt may do better. */
type PlaceAttempt = { placed: true } | { placed: false; error: string; retry: boolean };

/** What a read-back of a live stop found. */
export type VerifyOutcome = 'ok' | 'lost' | 'executed' | 'error';

/**
 * The exchange-side stop of each position: placed with retries and read back (the position is
 * flattened when that cannot be done), moved by cancel and place, checked against the venue, and
 * cancelled when the position is flat.
 */
export class StopPlacement extends StopPart {
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
    let lastError = '';
    for (let attempt = 1; attempt <= config.PLACE_ATTEMPTS; attempt++) {
      record.seq += 1;
      const outcome = await this.attempt(record, why, attempt);
      if (outcome.placed) return true;
      lastError = outcome.error;
      if (!outcome.retry) break;
      if (attempt < config.PLACE_ATTEMPTS) {
        metrics.placements.inc({ outcome: 'retried' });
        await this.deps.sleep(config.RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
    record.clientOrderId = null;
    record.verified = false;
    await this.closes.failAndFlatten(record, `stop placement failed: ${lastError}`);
    return false;
  }

  /**
   * Places the stop under the id of the record's seq and reads it back. A stop the read-back refutes is
   * cancelled and tried again; a venue error is tried again only when the venue says it may pass.
   */
  private async attempt(record: StopRecord, why: string, attempt: number): Promise<PlaceAttempt> {
    const { config, metrics } = this.deps;
    const clientOrderId = stopOrderId(config.CLIENT_ID_PREFIX, record.positionId, record.seq);
    try {
      await this.deps.venue.placeStop({
        clientOrderId,
        symbol: record.symbol,
        side: record.stopSide,
        qty: record.qty,
        stopPrice: record.stopPrice,
        reduceOnly: this.deps.venue.supportsReduceOnly,
      });
      record.clientOrderId = clientOrderId;
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
      const error = `read-back: ${check.detail}`;
      await this.deps.venue.cancelStop(record.symbol, clientOrderId).catch(() => undefined);
      return { placed: false, error, retry: true };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.deps.log.warn({ positionId: record.positionId, attempt, error }, 'stop placement failed');
      return { placed: false, error, retry: err instanceof VenueError && err.retryable };
    }
  }

  /** Moves the stop: cancel the old order (spot locks the base asset), place the new one. */
  async replace(record: StopRecord, stopPrice: number, qty: number, why: string): Promise<void> {
    if (record.clientOrderId) {
      const cancelled = await this.ctx.cancelStop(record, record.clientOrderId, 'cancel before move failed');
      if (cancelled?.status === 'triggered') return;
    }
    const moved = record.clientOrderId !== null && stopPrice !== record.stopPrice;
    record.stopPrice = stopPrice;
    record.qty = qty;
    record.verified = false;
    if (qty <= 0) {
      await this.retire(record, 'nothing left to protect');
      return;
    }
    if ((await this.place(record, why)) && moved) await this.ctx.publish(record, 'moved', why);
  }

  /** The position is flat (or being closed): cancel any resting stop and forget the record. */
  async retire(record: StopRecord, why: string, cancel = true): Promise<void> {
    if (cancel && record.clientOrderId) {
      const cancelled = await this.ctx.cancelStop(
        record,
        record.clientOrderId,
        'cancel at retirement failed',
      );
      if (cancelled) await this.ctx.publish(record, 'cancelled', why);
    }
    this.ctx.records.delete(record.positionId);
    await this.deps.store.save(record, 'closed', { ...record, verified: false });
    this.ctx.updateCoverage();
  }

  /** At start: a stop the venue still holds as recorded is verified; one missing or wrong is re-placed. */
  async verifyAtStart(record: StopRecord): Promise<void> {
    const live = record.clientOrderId
      ? await this.ctx.readBack(record.symbol, record.clientOrderId).catch(() => undefined)
      : undefined;
    const check = verifyStop({ side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice }, live);
    if (check.ok) {
      record.verified = true;
      await this.ctx.save(record);
      await this.ctx.publish(record, 'verified', 'stop found live on the venue at start');
      return;
    }
    this.deps.log.warn(
      { positionId: record.positionId, reason: check.reason },
      'stop missing on the venue; re-placing',
    );
    record.verified = false;
    await this.replace(record, record.stopPrice, record.qty, `re-placed at start: ${check.detail}`);
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
      metrics.verifications.inc({ outcome: 'executed' });
      // Still unfilled at a periodic check: the price has moved past its limit.
      await this.triggers.onStopTriggered(record, live, true);
      return 'executed';
    }
    const check = verifyStop({ side: record.stopSide, qty: record.qty, stopPrice: record.stopPrice }, live);
    if (check.ok) {
      metrics.verifications.inc({ outcome: 'ok' });
      if (record.verified) return 'ok';
      record.verified = true;
      await this.ctx.save(record);
      this.ctx.updateCoverage();
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
    await this.replace(record, record.stopPrice, record.qty, `re-placed after check: ${check.detail}`);
    return 'lost';
  }
}
