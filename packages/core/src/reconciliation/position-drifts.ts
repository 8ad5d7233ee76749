import { roundQty } from '../risk/precision';
import { signedQty } from './missing-fills';
import type { Drift } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type { LedgerSnapshot, VenueSnapshot } from './recon-snapshot';

/** Our positions once this run's missing fills are counted, by symbol. */
export function positionsAfterFills(
  ledger: LedgerSnapshot,
  missing: readonly Drift[],
): Record<string, number> {
  const after: Record<string, number> = { ...ledger.positions };
  for (const d of missing)
    if (d.kind === 'missing_fill') after[d.symbol] = roundQty((after[d.symbol] ?? 0) + signedQty(d.trade));
  return after;
}

/** Positions that still differ from the venue's after every fill is applied: set to the venue's. */
export function findPositionDrifts(
  venue: VenueSnapshot,
  ours: Readonly<Record<string, number>>,
  policy: ReconPolicy,
): Drift[] {
  if (!venue.positions) return [];
  const symbols = new Set([...Object.keys(ours), ...Object.keys(venue.positions)]);
  const drifts: Drift[] = [];
  for (const symbol of [...symbols].sort()) {
    const mine = ours[symbol] ?? 0;
    const theirs = venue.positions[symbol] ?? 0;
    if (Math.abs(mine - theirs) <= (policy.positionTolerance[symbol] ?? 0) + 1e-12) continue;
    drifts.push({
      kind: 'position_qty',
      key: `position:${symbol}:${theirs}`,
      symbol,
      ours: mine,
      venue: theirs,
      action: 'set_position',
      evidence: `${symbol}: our fills add up to ${mine}, the venue holds ${theirs}`,
    });
  }
  return drifts;
}
