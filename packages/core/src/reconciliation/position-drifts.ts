import { symbolAssets } from '@ballast/contracts';
import { applyFill, FLAT, type NetPosition, positionFill } from '../execution/position-fold';
import { roundQty, roundToStep } from '../risk/precision';
import type { Drift } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type { LedgerSnapshot, VenueSnapshot } from './recon-snapshot';

/**
 * Our positions once this run's missing fills are counted, by symbol. Each is folded as the orders
 * service will fold it once recorded (`applyFill`): a fee taken in the base asset (Binance without BNB)
 * is base the account no longer holds, so a buy adds its quantity less the fee.
 */
export function positionsAfterFills(
  ledger: LedgerSnapshot,
  missing: readonly Drift[],
): Record<string, number> {
  const after: Record<string, number> = { ...ledger.positions };
  for (const d of missing) {
    if (d.kind !== 'missing_fill') continue;
    const folded = applyFill(fromSigned(after[d.symbol] ?? 0), positionFill(d.symbol, d.trade.side, d.trade));
    after[d.symbol] = roundQty(folded.side === 'long' ? folded.qty : -folded.qty);
  }
  return after;
}

/** A signed quantity as a position to fold into: its entry does not change the quantity a fill leaves. */
function fromSigned(qty: number): NetPosition {
  return { ...FLAT, side: qty < 0 ? 'short' : 'long', qty: Math.abs(qty) };
}

/**
 * Whether a position difference is a drift to correct: one lot step or less (up to binary noise) is
 * rounding, and no order could trade it.
 */
export function isPositionDrift(difference: number, step: number): boolean {
  return Math.abs(difference) > step + 1e-12;
}

/**
 * The quantity that adjusts a position by `difference`, on the market's lot grid: differences of two
 * folds carry binary noise (0.0021 - 0.002 = 0.00009999999999999983) that no venue quantity has.
 */
export function positionAdjustment(difference: number, step: number): number {
  return step > 0 ? roundToStep(Math.abs(difference), step) : roundQty(Math.abs(difference));
}

/**
 * Positions that still differ from the venue's after every fill is applied: set to the venue's,
 * unless nothing of ours can explain the venue's figure. A negative spot holding (RECON_BASE_HOLDINGS
 * above the balance) is never a position; a difference whose base asset's balance is flagged in the
 * same run (`flaggedAssets`: a deposit or withdrawal no trade explains) is the operator's to explain,
 * not ours to book. With no balance flag (a first run, our own books off) the position is set.
 */
export function findPositionDrifts(
  venue: VenueSnapshot,
  ours: Readonly<Record<string, number>>,
  policy: ReconPolicy,
  flaggedAssets: ReadonlySet<string> = new Set(),
): Drift[] {
  if (!venue.positions) return [];
  const symbols = new Set([...Object.keys(ours), ...Object.keys(venue.positions)]);
  const drifts: Drift[] = [];
  for (const symbol of [...symbols].sort()) {
    const drift = positionDrift(
      symbol,
      ours[symbol] ?? 0,
      venue.positions[symbol] ?? 0,
      policy,
      flaggedAssets,
    );
    if (drift) drifts.push(drift);
  }
  return drifts;
}

function positionDrift(
  symbol: string,
  mine: number,
  theirs: number,
  policy: ReconPolicy,
  flaggedAssets: ReadonlySet<string>,
): Drift | null {
  const step = policy.positionTolerance[symbol] ?? 0;
  const unexplained = (reason: 'holdings_exceed_balance' | 'balance_unexplained', why: string): Drift => ({
    kind: 'position_unexplained',
    key: `unexplained:${symbol}:${reason}:${theirs}`,
    symbol,
    reason,
    ours: mine,
    venue: theirs,
    action: 'await_operator',
    evidence: `${symbol}: our fills add up to ${mine}, the venue holds ${theirs}; ${why}`,
  });
  const { base } = symbolAssets(symbol);
  if (theirs < -(step + 1e-12))
    return unexplained(
      'holdings_exceed_balance',
      `RECON_BASE_HOLDINGS holds more ${base} than the balance, and a spot account holds no short: not set`,
    );
  if (!isPositionDrift(theirs - mine, step)) return null;
  if (flaggedAssets.has(base))
    return unexplained(
      'balance_unexplained',
      `the ${base} balance moved by more than our trades explain (a deposit or withdrawal?): not set, for the operator`,
    );
  return {
    kind: 'position_qty',
    key: `position:${symbol}:${theirs}`,
    symbol,
    ours: mine,
    venue: theirs,
    action: 'set_position',
    evidence: `${symbol}: our fills add up to ${mine}, the venue holds ${theirs}`,
  };
}
