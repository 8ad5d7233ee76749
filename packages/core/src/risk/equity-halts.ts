import { DAY_MS, utcDayStart } from '../time';
import type { RiskLimits } from './risk-limits';
import type { RiskState } from './risk-state';
import { ALLOW, deny, type Verdict } from './verdict';

/**
 * The day's baseline as of `now`: once the UTC day has rolled past `state.day`, the last known
 * equity is the new day's start and yesterday's halt no longer applies.
 */
export function dayBaseline(
  state: RiskState,
  now: number,
): Pick<RiskState, 'dayStartEquity' | 'dailyLossHalt'> {
  if (utcDayStart(now) > state.day) return { dayStartEquity: state.equity, dailyLossHalt: null };
  return { dayStartEquity: state.dayStartEquity, dailyLossHalt: state.dailyLossHalt };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Loss since the start of the UTC day reaching `dailyLoss` of that day's starting equity stops entries for the day. */
export function checkDailyLoss(state: RiskState, limits: RiskLimits, now: number): Verdict {
  const { dayStartEquity, dailyLossHalt } = dayBaseline(state, now);
  const reopens = iso(utcDayStart(now) + DAY_MS);
  if (dailyLossHalt) {
    return deny(
      'daily_loss',
      dailyLossHalt.limit,
      dailyLossHalt.value,
      `daily loss limit reached at ${iso(dailyLossHalt.at)}; no new entries until ${reopens}`,
    );
  }
  const limit = limits.dailyLoss * dayStartEquity;
  const loss = dayStartEquity - state.equity;
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

/** Drawdown from peak equity reaching `maxDrawdown` of the peak halts entries until an explicit resume. */
export function checkDrawdown(state: RiskState, limits: RiskLimits): Verdict {
  if (state.drawdownHalt) {
    const { limit, value, at } = state.drawdownHalt;
    return deny(
      'max_drawdown',
      limit,
      value,
      `drawdown halt since ${iso(at)}; entries resume only on request`,
    );
  }
  const limit = limits.maxDrawdown * state.peakEquity;
  const drawdown = state.peakEquity - state.equity;
  if (drawdown >= limit) {
    return deny(
      'max_drawdown',
      limit,
      drawdown,
      `equity ${state.equity} is ${drawdown} below peak ${state.peakEquity}`,
    );
  }
  return ALLOW;
}
