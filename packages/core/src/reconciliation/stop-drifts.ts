import type { Drift } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type { LedgerSnapshot, VenueSnapshot } from './recon-snapshot';

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
