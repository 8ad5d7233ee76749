import type { RiskLimits } from './risk-limits';

/** A closed trade as the loss-streak rule sees it: its result net of fees, the fees, and when it closed. */
export type ClosedTrade = { pnl: number; fees: number; closeTime: number };

/** Consecutive losses so far and when the latest one closed; a plain value kept in RiskState. */
export type LossStreakState = { losses: number; lastLossTime: number | null };

export const NO_LOSS_STREAK: LossStreakState = { losses: 0, lastLossTime: null };

/**
 * A trade that gave back no more than its fees, one closed at its entry price, is a breakeven
 * (ADR 21). Within a billionth of its size: fills summed in floating point leave residues (~1e-14)
 * that are no loss.
 */
export function isLoss(trade: ClosedTrade): boolean {
  const residue = 1e-9 * Math.max(1, Math.abs(trade.pnl), trade.fees);
  return trade.pnl + trade.fees < -residue;
}

/** A win or a breakeven ends the streak; a loss extends it. */
export function recordClosedTrade(state: LossStreakState, trade: ClosedTrade): LossStreakState {
  if (!isLoss(trade)) return NO_LOSS_STREAK;
  return { losses: state.losses + 1, lastLossTime: trade.closeTime };
}

/** End of the pause this streak earns, or null when it earns none. */
export function lossStreakPausedUntil(
  state: LossStreakState,
  pauses: RiskLimits['lossStreakPauses'],
): number | null {
  if (state.lastLossTime === null) return null;
  let pauseMs: number | null = null;
  let matched = 0;
  for (const step of pauses) {
    if (step.losses <= state.losses && step.losses > matched) {
      matched = step.losses;
      pauseMs = step.pauseMs;
    }
  }
  return pauseMs === null ? null : state.lastLossTime + pauseMs;
}

/**
 * The loss-streak rule as an immutable value: `record` returns a new tracker. Rebuilding
 * from history folds the same `recordClosedTrade`, so a restarted service reaches exactly
 * the state it had before.
 */
export class LossStreakTracker {
  private constructor(readonly state: LossStreakState) {}

  static empty(): LossStreakTracker {
    return new LossStreakTracker(NO_LOSS_STREAK);
  }

  static of(state: LossStreakState): LossStreakTracker {
    return new LossStreakTracker(state);
  }

  /** Trades are taken in close-time order (stable for equal times), whatever order they come in. */
  static fromHistory(trades: readonly ClosedTrade[]): LossStreakTracker {
    const ordered = [...trades].sort((a, b) => a.closeTime - b.closeTime);
    return new LossStreakTracker(ordered.reduce(recordClosedTrade, NO_LOSS_STREAK));
  }

  record(trade: ClosedTrade): LossStreakTracker {
    return new LossStreakTracker(recordClosedTrade(this.state, trade));
  }

  pausedUntil(pauses: RiskLimits['lossStreakPauses']): number | null {
    return lossStreakPausedUntil(this.state, pauses);
  }

  isPaused(now: number, pauses: RiskLimits['lossStreakPauses']): boolean {
    const until = this.pausedUntil(pauses);
    return until !== null && now < until;
  }
}
