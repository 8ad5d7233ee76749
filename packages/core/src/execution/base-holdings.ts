import { roundQty } from '../risk/precision';

/**
 * What the venue holds of `asset` that may be a position: its balance less the holdings that are not
 * (spot: BNB kept for fees, coins held long-term; configured as RECON_BASE_HOLDINGS, see service-kit).
 */
export function positionHolding(
  balances: Readonly<Record<string, number>>,
  holdings: Readonly<Record<string, number>>,
  asset: string,
): number {
  return roundQty((balances[asset] ?? 0) - (holdings[asset] ?? 0));
}
