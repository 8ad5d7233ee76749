import type { PositionSide } from '@ballast/contracts';
import {
  marketKey,
  type PendingEntry,
  positionNotional,
  positionRisk,
  type RiskState,
  sameMarketSide,
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

const inMarketSide = (exchange: string, symbol: string, side: PositionSide) => (p: PendingEntry) =>
  p.exchange === exchange && p.symbol === symbol && p.side === side;

/** Notional committed in one market and side: what the per-market cap measures. */
export function marketNotional(
  state: Pick<RiskState, 'positions' | 'pending'>,
  exchange: string,
  symbol: string,
  side: PositionSide,
): Commitment {
  return {
    held: sameMarketSide(state, exchange, symbol, side).reduce((s, p) => s + positionNotional(p), 0),
    pending: sum(state.pending.filter(inMarketSide(exchange, symbol, side)), positionNotional),
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
  return (
    sameMarketSide(state, exchange, symbol, side).length > 0 ||
    state.pending.some(inMarketSide(exchange, symbol, side))
  );
}

/** Distinct (market, side) held or awaiting a fill: what the open-positions limit counts. */
export function committedSlots(state: Pick<RiskState, 'positions' | 'pending'>): number {
  const slot = (p: { exchange: string; symbol: string; side: PositionSide }) =>
    `${marketKey(p.exchange, p.symbol)}:${p.side}`;
  return new Set([...state.positions.map(slot), ...state.pending.map(slot)]).size;
}

/** " (N of it approved, not filled yet)" when entries are pending: a denial says what it counted. */
export function pendingNote(c: Commitment): string {
  return c.pending > 0 ? ` (${c.pending} of it approved, not filled yet)` : '';
}
