import { DAY_MS, utcDayStart } from '../time';
import type { RiskLimits } from './risk-limits';
import type { RiskState } from './risk-state';

/** What the daily-loss limit reads of a venue account: risk's state, or the baseline it stores (EquityBaseline). */
export type DayEquity = Pick<RiskState, 'equity' | 'day' | 'dayStartEquity' | 'dailyLossHalt'>;

import { ALLOW, deny, type Verdict } from './verdict';

/**
 * The day's baseline as of `now`: once the UTC day has rolled past `state.day`, the last known
 * equity is the new day's start and yesterday's halt no longer applies.
 */
export function dayBaseline(
  state: DayEquity,
  now: number,
): Pick<RiskState, 'dayStartEquity' | 'dailyLossHalt'> {
  if (utcDayStart(now) > state.day) return { dayStartEquity: state.equity, dailyLossHalt: null };
  return { dayStartEquity: state.dayStartEquity, dailyLossHalt: state.dailyLossHalt };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The day's result as the daily-loss limit measures it at `now`: `loss` is the fall of the equity (marked to
 * market) since the UTC day's start (negative: a gain), so what positions held open lost on earlier days is
 * not today's; `limit` is `dailyLoss` of the day's starting equity.
 */
export function dailyLossStanding(
  state: DayEquity,
  limits: Pick<RiskLimits, 'dailyLoss'>,
  now: number,
): { dayStartEquity: number; loss: number; limit: number } {
  const { dayStartEquity } = dayBaseline(state, now);
  return { dayStartEquity, loss: dayStartEquity - state.equity, limit: limits.dailyLoss * dayStartEquity };
}

/** Loss since the start of the UTC day reaching `dailyLoss` of that day's starting equity stops entries for the day. */
export function checkDailyLoss(state: DayEquity, limits: RiskLimits, now: number): Verdict {
  const { dailyLossHalt } = dayBaseline(state, now);
  const reopens = iso(utcDayStart(now) + DAY_MS);
  if (dailyLossHalt) {
    return deny(
      'daily_loss',
      dailyLossHalt.limit,
      dailyLossHalt.value,
      `daily loss limit reached at ${iso(dailyLossHalt.at)}; no new entries until ${reopens}`,
    );
  }
  const { dayStartEquity, loss, limit } = dailyLossStanding(state, limits, now);
  if (loss >= limit) {
    return deny(
      'daily_loss',
      limit,
      loss,
      `lost ${loss} of ${dayStartEquity} today; no new entries until ${reopens}`,
    );
  }
  return ALLOW;
}

/** What the drawdown limit reads of a venue account: risk's state, or the baseline it stores (EquityBaseline). */
export type PeakEquity = Pick<RiskState, 'equity' | 'peakEquity' | 'drawdownHalt'>;

/**
 * The drawdown as the max-drawdown limit measures it: `drawdown` is the fall of the equity (marked to market)
 * below the peak risk keeps, which a resume that clears a drawdown halt sets to the equity of then; `limit` is
 * `maxDrawdown` of that peak.
 */
export function drawdownStanding(
  state: PeakEquity,
  limits: Pick<RiskLimits, 'maxDrawdown'>,
): { peakEquity: number; drawdown: number; limit: number } {
  const { peakEquity } = state;
  return { peakEquity, drawdown: peakEquity - state.equity, limit: limits.maxDrawdown * peakEquity };
}

/** Drawdown from peak equity reaching `maxDrawdown` of the peak halts entries until an explicit resume. */
export function checkDrawdown(state: PeakEquity, limits: Pick<RiskLimits, 'maxDrawdown'>): Verdict {
  if (state.drawdownHalt) {
    const { limit, value, at } = state.drawdownHalt;
    return deny(
      'max_drawdown',
      limit,
      value,
      `drawdown halt since ${iso(at)}; entries resume only on request`,
    );
  }
  const { peakEquity, drawdown, limit } = drawdownStanding(state, limits);
  if (drawdown >= limit) {
    return deny(
      'max_drawdown',
      limit,
      drawdown,
      `equity ${state.equity} is ${drawdown} below peak ${peakEquity}`,
    );
  }
  return ALLOW;
}
