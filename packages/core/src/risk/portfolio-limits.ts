import type { PositionSide } from '@ballast/contracts';
import type { RiskLimits } from './risk-limits';
import {
  marketKey,
  openPositionCount,
  type RiskState,
  sameMarketSide,
  totalExposure,
  totalOpenRisk,
} from './risk-state';
import { ALLOW, deny, type Verdict } from './verdict';

/** An entry about to be added, already sized. */
export type SizedEntry = {
  exchange: string;
  symbol: string;
  side: PositionSide;
  notional: number;
  riskAmount: number;
};

/** Sum of every position's notional after this entry stays within `maxExposure` of equity. */
export function checkExposure(state: RiskState, entry: SizedEntry, limits: RiskLimits): Verdict {
  const limit = limits.maxExposure * state.equity;
  const after = totalExposure(state) + entry.notional;
  if (after <= limit) return ALLOW;
  return deny('max_exposure', limit, after, `exposure would be ${after}, above ${limit}`);
}

/** What every stop would cost if hit, this entry included, stays within `maxOpenRisk` of equity. */
export function checkOpenRisk(state: RiskState, entry: SizedEntry, limits: RiskLimits): Verdict {
  const limit = limits.maxOpenRisk * state.equity;
  const after = totalOpenRisk(state) + entry.riskAmount;
  if (after <= limit) return ALLOW;
  return deny('max_open_risk', limit, after, `open risk would be ${after}, above ${limit}`);
}

/** Adding to a held market and side does not open a new position; anything else does. */
export function checkOpenPositions(state: RiskState, entry: SizedEntry, limits: RiskLimits): Verdict {
  const adds = sameMarketSide(state, entry.exchange, entry.symbol, entry.side).length === 0 ? 1 : 0;
  const after = openPositionCount(state) + adds;
  if (after <= limits.maxOpenPositions) return ALLOW;
  return deny(
    'max_open_positions',
    limits.maxOpenPositions,
    after,
    `${marketKey(entry.exchange, entry.symbol)} ${entry.side} would be position ${after} of at most ${limits.maxOpenPositions}`,
  );
}
