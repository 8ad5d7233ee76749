import type { PositionSide } from '@ballast/contracts';
import {
  committed,
  committedExposure,
  committedOpenRisk,
  committedSlots,
  occupiesSlot,
  pendingNote,
} from './commitments';
import type { RiskLimits } from './risk-limits';
import { marketKey, type RiskState } from './risk-state';
import { ALLOW, deny, type Verdict } from './verdict';

/** An entry about to be added, already sized. */
export type SizedEntry = {
  exchange: string;
  symbol: string;
  side: PositionSide;
  notional: number;
  riskAmount: number;
};

// Each limit counts the positions held and the entries approved but not filled yet (commitments).

/** The most notional an account of `equity` may hold (checkExposure's limit). */
export function exposureLimit(equity: number, limits: Pick<RiskLimits, 'maxExposure'>): number {
  return limits.maxExposure * equity;
}

/**
 * Exposure across accounts as risk judges it, each account (its equity, the notional it holds) on its
 * own: `limit` summed, `headroom` what may still be added before the first account refuses.
 */
export function exposureStanding(
  accounts: ReadonlyArray<{ equity: number; held: number }>,
  limits: Pick<RiskLimits, 'maxExposure'>,
): { limit: number; headroom: number } {
  const each = accounts.map((a) => ({ limit: exposureLimit(a.equity, limits), held: a.held }));
  return {
    limit: each.reduce((s, a) => s + a.limit, 0),
    headroom: Math.min(...each.map((a) => a.limit - a.held)),
  };
}

/** Sum of every position's notional after this entry stays within `maxExposure` of equity. */
export function checkExposure(state: RiskState, entry: SizedEntry, limits: RiskLimits): Verdict {
  const limit = exposureLimit(state.equity, limits);
  const used = committedExposure(state);
  const after = committed(used) + entry.notional;
  if (after <= limit) return ALLOW;
  return deny('max_exposure', limit, after, `exposure would be ${after}${pendingNote(used)}, above ${limit}`);
}

/** What every stop would cost if hit, this entry included, stays within `maxOpenRisk` of equity. */
export function checkOpenRisk(state: RiskState, entry: SizedEntry, limits: RiskLimits): Verdict {
  const limit = limits.maxOpenRisk * state.equity;
  const used = committedOpenRisk(state, limits.riskPerTrade * state.equity);
  const after = committed(used) + entry.riskAmount;
  if (after <= limit) return ALLOW;
  return deny(
    'max_open_risk',
    limit,
    after,
    `open risk would be ${after}${pendingNote(used)}, above ${limit}`,
  );
}

/**
 * Adding to a market and side held, or awaiting an approved entry's fill, does not open a new
 * position; anything else does.
 */
export function checkOpenPositions(state: RiskState, entry: SizedEntry, limits: RiskLimits): Verdict {
  const adds = occupiesSlot(state, entry.exchange, entry.symbol, entry.side) ? 0 : 1;
  const after = committedSlots(state) + adds;
  if (after <= limits.maxOpenPositions) return ALLOW;
  return deny(
    'max_open_positions',
    limits.maxOpenPositions,
    after,
    `${marketKey(entry.exchange, entry.symbol)} ${entry.side} would be position ${after} of at most ${limits.maxOpenPositions}`,
  );
}
