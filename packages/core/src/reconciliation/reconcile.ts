import { symbolAssets } from '@ballast/contracts';
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
  /** Balances to expect next run: the venue's, since ours follow them once flagged (see nextBaseline). */
  nextBaseline: Record<string, number>;
};

/**
 * Compares one venue's snapshot with our ledger: every difference, each with its repair. Fills come
 * first, because positions are compared only after the missing fills are counted.
 */
export function reconcile(venue: VenueSnapshot, ledger: LedgerSnapshot, policy: ReconPolicy): ReconVerdict {
  const fills = findMissingFills(venue, ledger);
  const positions = positionsAfterFills(ledger, fills);
  const balances = findBalanceDrifts(venue, ledger.balances, policy);
  const flagged = new Set(balances.flatMap((d) => (d.kind === 'balance' ? [d.asset] : [])));
  const drifts = [
    ...fills,
    ...findUnknownOrders(venue, ledger, positions, policy),
    ...findOrderStates(venue, ledger, fills, policy),
    ...findPositionDrifts(venue, positions, policy, flagged),
    ...findMissingStops(venue, ledger, positions, policy),
    ...balances,
  ];
  return {
    venue: venue.venue,
    drifts,
    settles: !drifts.some(isBlocking),
    nextBaseline: nextBaseline(venue, ledger.balances, drifts),
  };
}

/**
 * The venue's balances, except a base asset whose position waits for the operator: its expected
 * balance is kept, so the next run finds the same unexplained change again, not a position
 * difference without a balance flag (which it would set).
 */
function nextBaseline(
  venue: VenueSnapshot,
  expected: Readonly<Record<string, number>> | null,
  drifts: readonly Drift[],
): Record<string, number> {
  const next: Record<string, number> = { ...venue.balances };
  if (!expected) return next;
  for (const d of drifts) {
    if (d.kind !== 'position_unexplained') continue;
    const { base } = symbolAssets(d.symbol);
    next[base] = expected[base] ?? 0;
  }
  return next;
}
