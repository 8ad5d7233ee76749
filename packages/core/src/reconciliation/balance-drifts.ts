import { symbolAssets } from '@ballast/contracts';
import type { Drift } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type { VenueSnapshot, VenueTrade } from './recon-snapshot';

/**
 * Balances expected after `trades` moved `baseline` (spot: a buy adds base and spends quote, a sell
 * the reverse; each fee is taken in its own asset).
 */
export function balancesAfterTrades(
  baseline: Readonly<Record<string, number>>,
  trades: readonly VenueTrade[],
): Record<string, number> {
  const out: Record<string, number> = { ...baseline };
  const add = (asset: string, x: number) => {
    out[asset] = Number(((out[asset] ?? 0) + x).toFixed(10));
  };
  for (const t of trades) {
    const { base, quote } = symbolAssets(t.symbol);
    const sign = t.side === 'buy' ? 1 : -1;
    add(base, sign * t.qty);
    add(quote, -sign * t.qty * t.price);
    add(t.feeAsset, -t.fee);
  }
  return out;
}

/** Assets whose venue balance differs from ours beyond the tolerance: flagged with the figures. */
export function findBalanceDrifts(
  venue: VenueSnapshot,
  expected: Readonly<Record<string, number>> | null,
  policy: ReconPolicy,
): Drift[] {
  if (!expected) return [];
  const assets = new Set([...Object.keys(expected), ...Object.keys(venue.balances)]);
  const drifts: Drift[] = [];
  for (const asset of [...assets].sort()) {
    const ours = expected[asset] ?? 0;
    const theirs = venue.balances[asset] ?? 0;
    const tolerance = policy.balanceTolerance[asset] ?? policy.balanceTolerance.default;
    if (Math.abs(ours - theirs) <= tolerance) continue;
    drifts.push({
      kind: 'balance',
      key: `balance:${asset}:${theirs}`,
      symbol: null,
      asset,
      ours,
      venue: theirs,
      action: 'flag',
      evidence: `${asset}: expected ${ours}, the venue holds ${theirs} (difference ${Number((theirs - ours).toFixed(10))}, tolerance ${tolerance})`,
    });
  }
  return drifts;
}
