import type { PositionSide } from '@ballast/contracts';
import {
  inMarketSide,
  marketSideKey,
  type PendingEntry,
  positionNotional,
  positionRisk,
  type RiskState,
  totalExposure,
  totalOpenRisk,
} from './risk-state';

// What the limits count: the positions held and the entries approved but not filled yet. A pending
// entry is measured as the position it would open (its notional at the approved entry, its risk to
// the approved stop), so two entries approved before either fills cannot both use the same room.

/** An amount split into what positions hold and what approved entries will add when they fill. */
export type Commitment = { held: number; pending: number };

export const committed = (c: Commitment): number => c.held + c.pending;

const sum = (xs: readonly PendingEntry[], of: (p: PendingEntry) => number): number =>
  xs.reduce((s, p) => s + of(p), 0);

/** Notional committed in one market and side: what the per-market cap measures. */
export function marketNotional(
  state: Pick<RiskState, 'positions' | 'pending'>,
  exchange: string,
  symbol: string,
  side: PositionSide,
): Commitment {
  const here = inMarketSide({ exchange, symbol, side });
  return {
    held: state.positions.filter(here).reduce((s, p) => s + positionNotional(p), 0),
    pending: sum(state.pending.filter(here), positionNotional),
  };
}

export function committedExposure(state: Pick<RiskState, 'positions' | 'pending'>): Commitment {
  return { held: totalExposure(state), pending: sum(state.pending, positionNotional) };
}

/**
 * What a pending entry risks: to its approved stop, or, when its stop was not recorded (read back
 * after a restart), at most `perTrade`: risk sized it so its stop could cost no more than that.
 */
export function pendingRisk(entry: PendingEntry, perTrade: number): number {
  return entry.stop > 0 ? positionRisk(entry) : Math.min(positionNotional(entry), perTrade);
}

/** `perTrade`: the risk budget of one entry (riskPerTrade × equity), for pending entries' unknown stops. */
export function committedOpenRisk(
  state: Pick<RiskState, 'positions' | 'pending'>,
  perTrade: number,
): Commitment {
  return { held: totalOpenRisk(state), pending: sum(state.pending, (p) => pendingRisk(p, perTrade)) };
}

/** Whether the market and side is held or awaits a fill: an entry there opens no new position. */
export function occupiesSlot(
  state: Pick<RiskState, 'positions' | 'pending'>,
  exchange: string,
  symbol: string,
  side: PositionSide,
): boolean {
  const here = inMarketSide({ exchange, symbol, side });
  return state.positions.some(here) || state.pending.some(here);
}

/** Distinct (market, side) held or awaiting a fill: what the open-positions limit counts. */
export function committedSlots(state: Pick<RiskState, 'positions' | 'pending'>): number {
  return new Set([...state.positions.map(marketSideKey), ...state.pending.map(marketSideKey)]).size;
}

/** " (N of it approved, not filled yet)" when entries are pending: a denial says what it counted. */
export function pendingNote(c: Commitment): string {
  return c.pending > 0 ? ` (${c.pending} of it approved, not filled yet)` : '';
}
