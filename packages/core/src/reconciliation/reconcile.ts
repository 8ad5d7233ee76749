import { findBalanceDrifts } from './balance-drifts';
import { findMissingFills } from './missing-fills';
import { findOrderStates, findUnknownOrders } from './order-drifts';
import { findPositionDrifts, positionsAfterFills } from './position-drifts';
import { type Drift, isBlocking } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type { LedgerSnapshot, VenueSnapshot } from './recon-snapshot';
import { findMissingStops } from './stop-drifts';

export type ReconVerdict = {
  venue: string;
  drifts: Drift[];
  /** Whether repairs settle every drift this run (none awaits the venue or another service). */
  settles: boolean;
  /** Balances to expect next run: the venue's, since ours follow them once flagged. */
  nextBaseline: Record<string, number>;
};

/**
 * Compares one venue's snapshot with our ledger: every difference, each with its repair. Fills come
 * first, because positions are compared only after the missing fills are counted.
 */
export function reconcile(venue: VenueSnapshot, ledger: LedgerSnapshot, policy: ReconPolicy): ReconVerdict {
  const fills = findMissingFills(venue, ledger);
  const positions = positionsAfterFills(ledger, fills);
  const drifts = [
    ...fills,
    ...findUnknownOrders(venue, ledger, policy),
    ...findOrderStates(venue, ledger, policy),
    ...findPositionDrifts(venue, positions, policy),
    ...findMissingStops(venue, ledger, positions, policy),
    ...findBalanceDrifts(venue, ledger.balances, policy),
  ];
  return {
    venue: venue.venue,
    drifts,
    settles: !drifts.some(isBlocking),
    nextBaseline: { ...venue.balances },
  };
}
