import type { ControlAck } from '@ballast/contracts';
import { type StopContext, StopPart } from './stop-context';
import type { StopRecord } from './stop-record';

/**
 * The kill whose flatten is under way, the positions it holds, until when, what running out means, and
 * when its missing report is alerted on (null once alerted, or once the orders service reported).
 */
type Hold = {
  killId: string;
  until: number;
  expiry: string;
  positions: ReadonlySet<string>;
  unreportedAt: number | null;
};

/**
 * A kill with flatten: the orders service cancels every open order (our stops too, where the venue
 * lists them) and closes every position. Meanwhile the stops of the positions open at the kill are
 * held: counted unverified (they may be gone), never re-placed, moved or backed by a close of ours, so
 * no stop of ours locks the coins the flatten sells. The hold ends when the orders service reports the
 * flatten not flat (its kill's control.ack, `flat` false), CLOSE_CONFIRM_MS after it reports it flat
 * (the positions' closed events may come after the ack), or FLATTEN_HOLD_MAX_MS after the kill without
 * a report. A position still open then is alerted on (`flatten_incomplete`) and protected again. The
 * orders service may flatten late (down, its commands queued): CLOSE_CONFIRM_MS after the kill without a
 * report the positions still open are alerted on once, and the hold goes on until the report comes.
 * The hold lives in memory: after a restart every stop is verified (and re-placed) as at any start.
 */
export class FlattenHold extends StopPart {
  private hold: Hold | null = null;

  constructor(ctx: StopContext) {
    super(ctx);
  }

  /** Holds every open position's stop; how many are held. */
  begin(killId: string): number {
    const open = [...this.ctx.records.values()].filter((r) => r.qty > 0);
    const { CLOSE_CONFIRM_MS, FLATTEN_HOLD_MAX_MS } = this.deps.config;
    const now = this.deps.clock.now();
    this.hold = {
      killId,
      until: now + FLATTEN_HOLD_MAX_MS,
      expiry: `no report of the flatten within ${FLATTEN_HOLD_MAX_MS} ms`,
      positions: new Set(open.map((r) => r.positionId)),
      unreportedAt: now + CLOSE_CONFIRM_MS,
    };
    for (const record of open) record.verified = false;
    this.ctx.updateCoverage();
    return open.length;
  }

  /** Whether the record's stop is left alone while a flatten runs. */
  held(record: StopRecord): boolean {
    return this.hold?.positions.has(record.positionId) ?? false;
  }

  /** A held position's new size, kept for the hold's end: its stop is not moved meanwhile. */
  async resized(record: StopRecord, qty: number): Promise<void> {
    record.qty = qty;
    if (record.pendingMove) record.pendingMove = { ...record.pendingMove, qty };
    await this.ctx.save(record);
  }

  /**
   * The orders service's word on the kill. Not flat: the hold ends now. Flat: its positions' closed
   * events are given CLOSE_CONFIRM_MS to arrive. Null when the hold goes on.
   */
  onAck(ack: ControlAck): string | null {
    const hold = this.hold;
    if (!hold || ack.command !== 'kill' || ack.commandId !== hold.killId || typeof ack.flat !== 'boolean')
      return null;
    if (!ack.flat) return `${ack.service} reports: ${ack.detail}`;
    this.hold = {
      ...hold,
      until: this.deps.clock.now() + this.deps.config.CLOSE_CONFIRM_MS,
      expiry: `${ack.service} reported it flat: ${ack.detail}`,
      unreportedAt: null,
    };
    return null;
  }

  /**
   * CLOSE_CONFIRM_MS after the kill without a report of its flatten: each held position still open is
   * alerted on, once; the hold goes on (checked on every clock tick the service sees).
   */
  async alertUnreported(): Promise<void> {
    const hold = this.hold;
    if (!hold || hold.unreportedAt === null || this.deps.clock.now() < hold.unreportedAt) return;
    this.hold = { ...hold, unreportedAt: null };
    const { CLOSE_CONFIRM_MS, FLATTEN_HOLD_MAX_MS } = this.deps.config;
    for (const record of this.openHeld(hold)) {
      this.deps.log.error({ positionId: record.positionId }, 'flatten not reported; stop still held');
      await this.ctx.alert(
        record,
        'flatten_incomplete',
        `${record.symbol} ${record.side} ${record.qty} still open ${CLOSE_CONFIRM_MS} ms after the kill's flatten, which is not reported yet; its stop stays held until it is, at most ${FLATTEN_HOLD_MAX_MS} ms after the kill`,
      );
    }
  }

  /** Why the hold has run out, or null while it lasts (checked on every clock tick the service sees). */
  expired(): string | null {
    return this.hold && this.deps.clock.now() >= this.hold.until ? this.hold.expiry : null;
  }

  /**
   * Ends the hold: each held position still open is alerted on and returned, for its stop to be
   * checked and re-placed.
   */
  async end(why: string): Promise<StopRecord[]> {
    const hold = this.hold;
    this.hold = null;
    if (!hold) return [];
    const open = this.openHeld(hold);
    for (const record of open) {
      const { positionId } = record;
      this.deps.log.error({ positionId, why }, 'position still open after the flatten');
      await this.ctx.alert(
        record,
        'flatten_incomplete',
        `${record.symbol} ${record.side} ${record.qty} still open after the kill's flatten (${why}); its stop is checked and placed again`,
      );
    }
    return open;
  }

  /** The records of the held positions still open. */
  private openHeld(hold: Hold): StopRecord[] {
    return [...hold.positions]
      .map((positionId) => this.ctx.records.get(positionId))
      .filter((record): record is StopRecord => record !== undefined && record.qty > 0);
  }
}
