import type { DenyReason } from '@ballast/contracts';
import {
  type ClosedTrade,
  committed,
  committedExposure,
  committedOpenRisk,
  committedSlots,
  DAY_MS,
  dayBaseline,
  lossStreakPausedUntil,
  openPositionCount,
  positionNotional,
  positionRisk,
  type RiskLimits,
  type RiskState,
  utcDayStart,
} from '@ballast/core';

/** The limits whose use the dashboards show as headroom (used / allowed). */
export const HEADROOM_LIMITS = [
  'max_exposure',
  'max_open_risk',
  'max_open_positions',
  'daily_loss',
  'max_drawdown',
] as const;
export type HeadroomLimit = (typeof HEADROOM_LIMITS)[number];

/**
 * The limits in force, named as the deny reasons they cause: fractions of equity (daily_loss of the
 * day's start, max_drawdown of the peak), a count for max_open_positions, a ratio for reward_risk.
 */
export function limitSettings(limits: RiskLimits) {
  return {
    risk_per_trade: limits.riskPerTrade,
    max_position: limits.maxPositionNotional,
    max_exposure: limits.maxExposure,
    max_open_risk: limits.maxOpenRisk,
    max_open_positions: limits.maxOpenPositions,
    reward_risk: limits.minRewardRisk,
    daily_loss: limits.dailyLoss,
    max_drawdown: limits.maxDrawdown,
  } satisfies Partial<Record<DenyReason, number>>;
}

export interface PositionFigures {
  exchange: string;
  symbol: string;
  side: string;
  notional: number;
  risk: number;
}

/** What the risk service exports to Prometheus, computed from its state: one plain value. */
export interface RiskFigures {
  equity: number;
  peakEquity: number;
  drawdownRatio: number;
  dailyLoss: number;
  /** Realised P&L of trades closed since the start of the UTC day / ISO week (Monday). */
  pnlToday: number;
  pnlWeek: number;
  openPositions: number;
  positions: PositionFigures[];
  limitUsed: Record<HeadroomLimit, number>;
  limits: ReturnType<typeof limitSettings>;
  halts: { daily_loss: boolean; drawdown: boolean; loss_streak: boolean };
  lossStreak: number;
  pauseRemainingSeconds: number;
  killEngaged: boolean;
}

/** Monday 00:00 UTC of the week holding `ms` (1970-01-01 was a Thursday). */
export function utcWeekStart(ms: number): number {
  const day = utcDayStart(ms);
  const weekday = (Math.floor(day / DAY_MS) + 3) % 7; // 0 = Monday
  return day - weekday * DAY_MS;
}

const ratio = (used: number, allowed: number): number => (allowed > 0 ? used / allowed : used > 0 ? 1 : 0);

const pnlSince = (trades: readonly ClosedTrade[], since: number): number =>
  trades.reduce((sum, t) => (t.closeTime >= since ? sum + t.pnl : sum), 0);

export function riskFigures(
  state: RiskState,
  limits: RiskLimits,
  trades: readonly ClosedTrade[],
  now: number,
): RiskFigures {
  const { dayStartEquity, dailyLossHalt } = dayBaseline(state, now);
  const dailyLoss = Math.max(0, dayStartEquity - state.equity);
  const drawdown = Math.max(0, state.peakEquity - state.equity);
  const pausedUntil = lossStreakPausedUntil(state.lossStreak, limits.lossStreakPauses);
  const pauseRemainingMs = pausedUntil === null ? 0 : Math.max(0, pausedUntil - now);
  const openPositions = openPositionCount(state);
  return {
    equity: state.equity,
    peakEquity: state.peakEquity,
    drawdownRatio: state.peakEquity > 0 ? drawdown / state.peakEquity : 0,
    dailyLoss,
    pnlToday: pnlSince(trades, utcDayStart(now)),
    pnlWeek: pnlSince(trades, utcWeekStart(now)),
    openPositions,
    positions: state.positions.map((p) => ({
      exchange: p.exchange,
      symbol: p.symbol,
      side: p.side,
      notional: positionNotional(p),
      risk: positionRisk(p),
    })),
    // As the limits count them: positions held plus entries approved and not filled yet, so the
    // headroom shown is the room the next entry has, not what is left once pending entries fill.
    limitUsed: {
      max_exposure: ratio(committed(committedExposure(state)), limits.maxExposure * state.equity),
      max_open_risk: ratio(
        committed(committedOpenRisk(state, limits.riskPerTrade * state.equity)),
        limits.maxOpenRisk * state.equity,
      ),
      max_open_positions: ratio(committedSlots(state), limits.maxOpenPositions),
      daily_loss: ratio(dailyLoss, limits.dailyLoss * dayStartEquity),
      max_drawdown: ratio(drawdown, limits.maxDrawdown * state.peakEquity),
    },
    limits: limitSettings(limits),
    halts: {
      daily_loss: dailyLossHalt !== null,
      drawdown: state.drawdownHalt !== null,
      loss_streak: pauseRemainingMs > 0,
    },
    lossStreak: state.lossStreak.losses,
    pauseRemainingSeconds: pauseRemainingMs / 1000,
    killEngaged: state.kill.engaged,
  };
}
