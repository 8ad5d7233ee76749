import { checkDailyLoss, checkDrawdown } from './equity-halts';
import { lossStreakPausedUntil } from './loss-streak';
import type { RiskLimits } from './risk-limits';
import { marketKey, type RiskState } from './risk-state';
import { ALLOW, deny, denyGate, type Verdict } from './verdict';

export function checkKillSwitch(state: RiskState): Verdict {
  if (!state.kill.engaged) return ALLOW;
  return denyGate('kill_switch', `kill switch engaged: ${state.kill.reason ?? 'no reason given'}`);
}

export function checkLossStreak(state: RiskState, limits: RiskLimits, now: number): Verdict {
  const until = lossStreakPausedUntil(state.lossStreak, limits.lossStreakPauses);
  if (until === null || now >= until) return ALLOW;
  return deny(
    'loss_streak',
    until,
    now,
    `${state.lossStreak.losses} consecutive losses: entries paused until ${new Date(until).toISOString()}`,
  );
}

export function checkMarketData(state: RiskState, exchange: string, symbol: string): Verdict {
  const key = marketKey(exchange, symbol);
  return state.staleMarkets.includes(key) ? denyGate('stale_data', `market data for ${key} is stale`) : ALLOW;
}

export function checkReconciled(state: RiskState, exchange: string): Verdict {
  if (!state.unreconciledVenues.includes(exchange)) return ALLOW;
  const why = state.unreconciledWhy[exchange] ?? `${exchange} is not reconciled with our records`;
  return denyGate('unreconciled', why);
}

/**
 * Gates that close to every new entry regardless of its size, most severe first:
 * kill switch → drawdown halt → daily loss → loss-streak pause → stale data → unreconciled venue.
 */
export function checkEntryGates(
  state: RiskState,
  market: { exchange: string; symbol: string },
  limits: RiskLimits,
  now: number,
): Verdict {
  const checks: Array<() => Verdict> = [
    () => checkKillSwitch(state),
    () => checkDrawdown(state, limits),
    () => checkDailyLoss(state, limits, now),
    () => checkLossStreak(state, limits, now),
    () => checkMarketData(state, market.exchange, market.symbol),
    () => checkReconciled(state, market.exchange),
  ];
  return firstDenial(checks);
}

/** Runs checks in order and stops at the first that says no. */
export function firstDenial(checks: ReadonlyArray<() => Verdict>): Verdict {
  for (const check of checks) {
    const verdict = check();
    if (!verdict.ok) return verdict;
  }
  return ALLOW;
}
