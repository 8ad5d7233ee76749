import type { Drift } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type { LedgerSnapshot, LedgerStop, VenueSnapshot } from './recon-snapshot';

/** Open positions whose protective stop is not resting on the venue. */
export function findMissingStops(
  venue: VenueSnapshot,
  ledger: LedgerSnapshot,
  positions: Readonly<Record<string, number>>,
  policy: ReconPolicy,
): Drift[] {
  if (!policy.stopsOnVenue) return [];
  const live = new Set(venue.openOrders.map((o) => o.clientOrderId));
  const drifts: Drift[] = [];
  for (const stop of ledger.stops) {
    // A leftover (a closed position's stop whose cancel failed, qty 0) protects nothing: it is the
    // stops service's to cancel, never a position's missing stop.
    if (isLeftover(stop)) continue;
    if (Math.abs(positions[stop.symbol] ?? 0) <= (policy.positionTolerance[stop.symbol] ?? 0)) continue;
    if (stop.clientOrderId && live.has(stop.clientOrderId)) continue;
    drifts.push({
      kind: 'missing_stop',
      key: `stop:${stop.positionId}:${stop.clientOrderId ?? 'none'}`,
      symbol: stop.symbol,
      positionId: stop.positionId,
      clientOrderId: stop.clientOrderId,
      action: 'replace_stop',
      evidence: stop.clientOrderId
        ? `stop ${stop.clientOrderId} (${stop.qty} @ ${stop.stopPrice}) for ${stop.positionId} is not open on the venue`
        : `${stop.positionId} has no stop placed`,
    });
  }
  return drifts;
}

/**
 * Stop drifts measured against stop records read before the venue, checked against the records read
 * again after it. The stops service moves a stop (a trail: cancel, place the next, save it) at any
 * time: a stop placed and saved between the two reads is known, not an orphan, and the position's
 * stop it replaced is not missing. Either is judged again by the next run's reads.
 */
export function withoutMovedStops(drifts: readonly Drift[], stopsNow: readonly LedgerStop[]): Drift[] {
  const named = new Set(stopsNow.flatMap((s) => (s.clientOrderId ? [s.clientOrderId] : [])));
  // A leftover keeps its slot's position id: the slot's stop now is its position's, not the leftover's.
  const current = new Map(stopsNow.filter((s) => !isLeftover(s)).map((s) => [s.positionId, s.clientOrderId]));
  return drifts.filter((d) => {
    if (d.kind === 'orphan_stop') return !named.has(d.order.clientOrderId);
    // Cleared to null is no move: the stops service gave up placing it, and the stop is still missing.
    if (d.kind === 'missing_stop') {
      const now = current.get(d.positionId);
      return now === d.clientOrderId || now === null;
    }
    return true;
  });
}

/** Whether the drifts name a stop, and the stop records are worth reading again. */
export function hasStopDrift(drifts: readonly Drift[]): boolean {
  return drifts.some((d) => d.kind === 'orphan_stop' || d.kind === 'missing_stop');
}

/** A stop record kept only to cancel its stop: its position closed (qty 0) while the cancel failed. */
function isLeftover(stop: LedgerStop): boolean {
  return stop.qty <= 0;
}
