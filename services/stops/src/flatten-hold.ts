import type { ControlAck } from '@ballast/contracts';
import type { StoredHold } from './flatten-hold-store';
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
 * The hold is stored (deps.holds) as it changes and reloaded at start before the stops are verified, so
 * a restart while the flatten runs puts back none of the stops it holds; it ends as it would have.
 */
export class FlattenHold extends StopPart {
  private hold: Hold | null = null;

  constructor(ctx: StopContext) {
    super(ctx);
  }

  /** The hold stored before a restart, if any: its positions' stops stay held (counted unverified). */
  async load(): Promise<void> {
    const stored = await this.deps.holds.load();
    if (!stored) return;
    this.hold = { ...stored, positions: new Set(stored.positions) };
    for (const record of this.ctx.records.values()) if (this.held(record)) record.verified = false;
    this.ctx.updateCoverage();
  }

  /** Holds every open position's stop, stored before the kill is acknowledged; how many are held. */
  async begin(killId: string): Promise<number> {
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
    // A failed write fails the kill's handling: it is redelivered and held again.
    await this.deps.holds.save(stored(this.hold));
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
   * events are given CLOSE_CONFIRM_MS to arrive. Null when the hold goes on. Another venue's orders
   * service reports its own flatten only; an ack naming no venue (an older publisher) is read as ours.
   */
  async onAck(ack: ControlAck): Promise<string | null> {
    const hold = this.hold;
    if (!hold || ack.command !== 'kill' || ack.commandId !== hold.killId || typeof ack.flat !== 'boolean')
      return null;
    if (ack.exchange !== undefined && ack.exchange !== this.deps.venue.id) return null;
    if (!ack.flat) return `${ack.service} reports: ${ack.detail}`;
    this.hold = {
      ...hold,
      until: this.deps.clock.now() + this.deps.config.CLOSE_CONFIRM_MS,
      expiry: `${ack.service} reported it flat: ${ack.detail}`,
      unreportedAt: null,
    };
    await this.keep(this.hold);
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
    await this.keep(this.hold);
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
    await this.keep(null);
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

  /**
   * Stores the hold as it now is. A failed write is logged and not thrown: what is stored stays bounded
   * by its own `until`, so a restart holds at most until then, and the stops are protected again.
   */
  private async keep(hold: Hold | null): Promise<void> {
    try {
      await this.deps.holds.save(hold && stored(hold));
    } catch (err) {
      this.deps.log.warn({ killId: hold?.killId ?? null, error: String(err) }, 'flatten hold not stored');
    }
  }

  /** The records of the held positions still open. */
  private openHeld(hold: Hold): StopRecord[] {
    return [...hold.positions]
      .map((positionId) => this.ctx.records.get(positionId))
      .filter((record): record is StopRecord => record !== undefined && record.qty > 0);
  }
}

/** What is stored of a hold. */
function stored(hold: Hold): StoredHold {
  return { ...hold, positions: [...hold.positions] };
}
