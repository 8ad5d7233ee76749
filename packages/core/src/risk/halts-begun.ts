import { DAY_MS } from '../time';
import { lossStreakPausedUntil } from './loss-streak';
import type { RiskLimits } from './risk-limits';
import type { RiskState } from './risk-state';

/** The rules that stop new entries for a while, named as risk's rejections name them. */
export type HaltReason = 'daily_loss' | 'max_drawdown' | 'loss_streak';

/** A halt that has just begun: told once, at that moment, rather than at the next rejected entry. */
export interface HaltBegun {
  reason: HaltReason;
  limit: number;
  value: number;
  /** When entries reopen on their own; null for a drawdown halt, which waits for a resume. */
  until: number | null;
  detail: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The halts `after` holds that `before` did not (a new day's daily-loss halt counts as new). */
export function haltsBegun(
  before: RiskState,
  after: RiskState,
  limits: RiskLimits,
  now: number,
): HaltBegun[] {
  const begun: HaltBegun[] = [];
  const daily = after.dailyLossHalt;
  if (daily && !(before.dailyLossHalt && before.day === after.day)) {
    const until = after.day + DAY_MS;
    begun.push({
      reason: 'daily_loss',
      limit: daily.limit,
      value: daily.value,
      until,
      detail: `lost ${daily.value} today against a limit of ${daily.limit}; no new entries until ${iso(until)}`,
    });
  }
  const drawdown = after.drawdownHalt;
  if (drawdown && !before.drawdownHalt) {
    begun.push({
      reason: 'max_drawdown',
      limit: drawdown.limit,
      value: drawdown.value,
      until: null,
      detail: `equity ${drawdown.value} below its peak against a limit of ${drawdown.limit}; entries resume only on request`,
    });
  }
  const pausedUntil = lossStreakPausedUntil(after.lossStreak, limits.lossStreakPauses);
  const wasUntil = lossStreakPausedUntil(before.lossStreak, limits.lossStreakPauses);
  if (pausedUntil !== null && pausedUntil > now && pausedUntil !== wasUntil) {
    const losses = after.lossStreak.losses;
    begun.push({
      reason: 'loss_streak',
      limit: Math.min(...limits.lossStreakPauses.map((step) => step.losses)),
      value: losses,
      until: pausedUntil,
      detail: `${losses} losses in a row; no new entries until ${iso(pausedUntil)}`,
    });
  }
  return begun;
}
