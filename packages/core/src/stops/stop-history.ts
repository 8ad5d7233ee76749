import type { PositionSide } from '@ballast/contracts';
import { stopCrossed } from './stop-monitor';

/** Stop prices kept per position: enough for the bars still to be judged, a few moves each. */
const KEPT = 16;

/**
 * The stop prices each position's stop was watched at, and from when (the time of the price at which
 * each was first seen; the first one seen counts as in force from the start). A bar whose trades had
 * gaps is judged by its extreme: against the loosest stop in force during it, not the one a
 * take-profit moved to part-way through, which an extreme printed before the move never crossed.
 */
export class StopHistory {
  private readonly stops = new Map<string, Array<{ from: number; stopPrice: number }>>();

  /** The position's stop was watched at `stopPrice` at `at` (noted when it changed). */
  note(positionId: string, stopPrice: number, at: number): void {
    const kept = this.stops.get(positionId) ?? [];
    const last = kept.at(-1);
    if (last?.stopPrice === stopPrice) return;
    kept.push({ from: last ? Math.max(at, last.from) : Number.NEGATIVE_INFINITY, stopPrice });
    if (kept.length > KEPT) kept.shift();
    this.stops.set(positionId, kept);
  }

  /**
   * Whether `price`, printed some time from `since` (a bar's open), went through the loosest stop in
   * force from then; true when none was noted (the current stop is then all there is).
   */
  crossedSince(positionId: string, side: PositionSide, since: number, price: number): boolean {
    const kept = this.stops.get(positionId);
    if (!kept?.length) return true;
    // Each in force until the next was noted: those still in force at `since` or after.
    const inForce = kept.filter((_, i) => (kept[i + 1]?.from ?? Number.POSITIVE_INFINITY) > since);
    return inForce.every((s) => stopCrossed(side, s.stopPrice, price));
  }

  forget(positionId: string): void {
    this.stops.delete(positionId);
  }
}
