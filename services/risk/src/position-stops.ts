import type { PositionEvent, PositionSide, StopEvent } from '@ballast/contracts';
import { applyStopMove, marketKey } from '@ballast/core';
import { RiskPart } from './risk-context';

/** Stop events that tell where a position's live stop is. */
const LIVE_STOP_KINDS: ReadonlySet<StopEvent['kind']> = new Set(['placed', 'verified', 'moved']);

/**
 * The stop each position's open risk is measured to: the one the stop manager last reported, or, for a
 * position whose stop event has not come yet, the stop of the entry risk approved for it.
 */
export class PositionStops extends RiskPart {
  /** The stop the stop manager last reported per position id (at start: its active records). */
  private readonly stops = new Map<string, number>();
  /** The stop of the last entry approved per position id: the position it opens starts with it. */
  private readonly approvedStops = new Map<string, { side: PositionSide; stop: number }>();

  /** The stops of the stop manager's active records, read at start. */
  load(stops: ReadonlyMap<string, number>): void {
    for (const [positionId, stop] of stops) this.stops.set(positionId, stop);
  }

  /** The stop last reported for a position id; undefined when none was. */
  reported(positionId: string): number | undefined {
    return this.stops.get(positionId);
  }

  /** An entry approved on a market: the position it opens starts with its stop. */
  approved(candidate: { exchange: string; symbol: string; side: PositionSide }, stop: number): void {
    this.approvedStops.set(marketKey(candidate.exchange, candidate.symbol), { side: candidate.side, stop });
  }

  /**
   * A new position's stop: the one the stop manager reported, when its event came first (they travel on
   * another stream), else the stop of the entry risk approved for it; 0 (unknown) when neither is known.
   */
  openingStop(p: PositionEvent): number {
    const approved = this.approvedStops.get(p.positionId);
    return this.stops.get(p.positionId) ?? (approved?.side === p.side ? approved.stop : 0);
  }

  /** The position the approved entry opened holds its stop now. */
  opened(positionId: string): void {
    this.approvedStops.delete(positionId);
  }

  /** The position closed: the next one on its id waits for its own stop. */
  closed(positionId: string): void {
    this.stops.delete(positionId);
  }

  /** Open risk is measured to the live stop: the stop manager places it, reads it back and trails it. */
  onStop(event: StopEvent): void {
    if (!LIVE_STOP_KINDS.has(event.kind) || event.stopPrice === null) return;
    this.stops.set(event.positionId, event.stopPrice);
    this.ctx.state = applyStopMove(this.ctx.state, { positionId: event.positionId, stop: event.stopPrice });
  }
}
