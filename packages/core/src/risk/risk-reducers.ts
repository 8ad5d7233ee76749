import type { PositionSide } from '@ballast/contracts';
import type { KillState } from '../execution/kill-state';
import { utcDayStart } from '../time';
import { checkDailyLoss, checkDrawdown } from './equity-halts';
import { type ClosedTrade, recordClosedTrade } from './loss-streak';
import { fillPending } from './pending-entries';
import type { RiskLimits } from './risk-limits';
import type { OpenPosition, RiskState } from './risk-state';

// Pure folds from events to RiskState: a service applies each event as it arrives; a backtest
// or a restart replays the same events and reaches the same state.

/** Moves the daily baseline to a new UTC day: the last known equity is the new day's start. */
export function rollDay(state: RiskState, now: number): RiskState {
  const day = utcDayStart(now);
  if (day <= state.day) return state;
  return { ...state, day, dayStartEquity: state.equity, dailyLossHalt: null };
}

/** A new account equity reading; latches the daily-loss and drawdown halts when reached. */
export function applyEquityMark(
  state: RiskState,
  mark: { equity: number; time: number },
  limits: RiskLimits,
): RiskState {
  const rolled = rollDay(state, mark.time);
  const marked: RiskState = {
    ...rolled,
    equity: mark.equity,
    peakEquity: Math.max(rolled.peakEquity, mark.equity),
  };
  const daily = checkDailyLoss(marked, limits, mark.time);
  const drawdown = checkDrawdown(marked, limits);
  return {
    ...marked,
    dailyLossHalt: !daily.ok
      ? { limit: daily.limit, value: daily.value, at: marked.dailyLossHalt?.at ?? mark.time }
      : null,
    drawdownHalt: !drawdown.ok
      ? { limit: drawdown.limit, value: drawdown.value, at: marked.drawdownHalt?.at ?? mark.time }
      : null,
  };
}

/**
 * An equity reading that cannot be measured yet (a position held at a restart not yet marked, whose gain
 * the stored peak and day's start may hold: marked-equity.ts `equityValued`): it is the equity, and a new UTC
 * day starts from the last equity known, but neither the peak nor a halt moves.
 */
export function applyUnvaluedEquity(state: RiskState, mark: { equity: number; time: number }): RiskState {
  return { ...rollDay(state, mark.time), equity: mark.equity };
}

export type EntryFill = {
  positionId: string;
  exchange: string;
  symbol: string;
  side: PositionSide;
  qty: number;
  price: number;
  /**
   * The position's average entry after this fill, as the orders service's position event reports it:
   * taken as it is, since it already averages the fill in. Absent: the fill's price is averaged in.
   */
  avgEntry?: number;
  stop: number;
  /** The strategy the fill is credited to; a new position is that strategy's (null: none took it). */
  strategy: string | null;
};

/**
 * An entry fill opens a position or adds to it at the volume-weighted entry price (or the reported
 * average, `avgEntry`). The position counts
 * it from now on, so as much comes off the entries pending in that market and side. An add leaves the
 * position to the strategy that opened it, as the orders service credits its trade (positionOwner).
 */
export function applyEntryFill(state: RiskState, fill: EntryFill): RiskState {
  const filled = { ...state, pending: fillPending(state.pending, fill) };
  const existing = state.positions.find((p) => p.positionId === fill.positionId);
  if (!existing) {
    const { price, avgEntry, ...rest } = fill;
    return { ...filled, positions: [...state.positions, { ...rest, entry: avgEntry ?? price }] };
  }
  const qty = existing.qty + fill.qty;
  const entry = fill.avgEntry ?? (existing.qty * existing.entry + fill.qty * fill.price) / qty;
  return replacePosition(filled, { ...existing, qty, entry, stop: fill.stop });
}

/**
 * An exit fill shrinks a position and removes it when nothing is left (within float noise).
 * An exit for a position we do not hold changes nothing: exits are never ours to refuse.
 */
export function applyExitFill(state: RiskState, fill: { positionId: string; qty: number }): RiskState {
  const existing = state.positions.find((p) => p.positionId === fill.positionId);
  if (!existing) return state;
  const qty = existing.qty - fill.qty;
  if (qty <= existing.qty * 1e-9) {
    return { ...state, positions: state.positions.filter((p) => p.positionId !== fill.positionId) };
  }
  return replacePosition(state, { ...existing, qty });
}

export function applyStopMove(state: RiskState, move: { positionId: string; stop: number }): RiskState {
  const existing = state.positions.find((p) => p.positionId === move.positionId);
  return existing ? replacePosition(state, { ...existing, stop: move.stop }) : state;
}

/** A closed trade extends or ends the loss streak. */
export function applyClosedTrade(state: RiskState, trade: ClosedTrade): RiskState {
  return { ...state, lossStreak: recordClosedTrade(state.lossStreak, trade) };
}

export function engageKillSwitch(state: RiskState, kill: { reason: string; at: number }): RiskState {
  return { ...state, kill: { engaged: true, reason: kill.reason, since: kill.at } };
}

export function releaseKillSwitch(state: RiskState): RiskState {
  return { ...state, kill: { engaged: false, reason: null, since: null } };
}

/**
 * Risk's view of the kill switch a service stores (KillState): engaged (entries refused) or not. One
 * stored without a reason or a time reads as engaged for no stated reason, since `now`.
 */
export function applyKillState(state: RiskState, kill: KillState, now: number): RiskState {
  return kill.engaged
    ? engageKillSwitch(state, { reason: kill.reason ?? '', at: kill.since ?? now })
    : releaseKillSwitch(state);
}

/**
 * The explicit resume after a drawdown halt. The current equity becomes the new peak:
 * otherwise the same drawdown would halt again at the next mark.
 */
export function resumeFromDrawdown(state: RiskState): RiskState {
  return { ...state, drawdownHalt: null, peakEquity: state.equity };
}

/**
 * The operator's resume (`control.resume`): lifts the kill switch, and a drawdown halt only when the
 * resume asks for it (`clearDrawdown`): a resume after a kill for another reason must not hand out a
 * fresh drawdown budget as a side effect. Without a drawdown halt the peak stays where it is.
 */
export function applyResume(state: RiskState, resume: { clearDrawdown: boolean }): RiskState {
  const released = releaseKillSwitch(state);
  return resume.clearDrawdown && released.drawdownHalt ? resumeFromDrawdown(released) : released;
}

export function setMarketStale(state: RiskState, key: string, stale: boolean): RiskState {
  return { ...state, staleMarkets: toggle(state.staleMarkets, key, stale) };
}

/** `why`: what the denial of an entry on a venue closed by this says (a status gone stale, for example). */
export function setVenueReconciled(
  state: RiskState,
  venue: string,
  reconciled: boolean,
  why?: string,
): RiskState {
  const { [venue]: _, ...others } = state.unreconciledWhy;
  return {
    ...state,
    unreconciledVenues: toggle(state.unreconciledVenues, venue, !reconciled),
    unreconciledWhy: !reconciled && why ? { ...others, [venue]: why } : others,
  };
}

function replacePosition(state: RiskState, position: OpenPosition): RiskState {
  return {
    ...state,
    positions: state.positions.map((p) => (p.positionId === position.positionId ? position : p)),
  };
}

function toggle(list: readonly string[], item: string, present: boolean): readonly string[] {
  const without = list.filter((x) => x !== item);
  return present ? [...without, item] : without;
}
