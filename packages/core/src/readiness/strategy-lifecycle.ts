import type { ReadinessReport } from './evaluate-readiness';
import { redCriteria } from './evaluate-readiness';

/** Shadow: paper or signal-only; live: real orders. A demoted strategy is back in shadow. */
export type LifecycleState = 'shadow' | 'live';

/** Why the lifecycle moved or stayed, one closed set. */
export type LifecycleReason =
  | 'all_green'
  /** Every criterion green, but under thresholds looser than the defaults. */
  | 'green_loosened'
  | 'criteria_red'
  | 'override'
  | 'live_drawdown'
  | 'live_expectancy'
  | 'live_healthy';

/** Live performance since going live, as the demotion rule sees it. */
export interface RecentLive {
  trades: number;
  expectancy: number | null;
  drawdownPct: number;
}

export interface DemotionLimits {
  /** Demote when live drawdown reaches this, in percent of peak. */
  maxDrawdownPct: number;
  /** Judge expectancy only after this many live trades, so two unlucky trades do not demote. */
  minTradesForExpectancy: number;
}

export const DEFAULT_DEMOTION_LIMITS: DemotionLimits = { maxDrawdownPct: 15, minTradesForExpectancy: 10 };

export interface LifecycleStep {
  state: LifecycleState;
  reason: LifecycleReason;
  detail: string;
}

function promote(
  readiness: ReadinessReport,
  overridden: boolean,
  loosened: readonly string[],
): LifecycleStep {
  if (readiness.ok && loosened.length > 0)
    return {
      state: 'live',
      reason: 'green_loosened',
      detail: `every criterion is green under thresholds looser than the defaults: ${loosened.join(', ')}`,
    };
  if (readiness.ok) return { state: 'live', reason: 'all_green', detail: 'every criterion is green' };
  const red = redCriteria(readiness).join(', ');
  if (overridden)
    return { state: 'live', reason: 'override', detail: `live by recorded override; red: ${red}` };
  return { state: 'shadow', reason: 'criteria_red', detail: `red: ${red}` };
}

function review(recent: RecentLive | null, limits: DemotionLimits): LifecycleStep {
  if (recent && recent.drawdownPct >= limits.maxDrawdownPct)
    return {
      state: 'shadow',
      reason: 'live_drawdown',
      detail: `live drawdown ${recent.drawdownPct.toFixed(2)}% ≥ ${limits.maxDrawdownPct}%`,
    };
  if (
    recent &&
    recent.trades >= limits.minTradesForExpectancy &&
    recent.expectancy !== null &&
    recent.expectancy <= 0
  )
    return {
      state: 'shadow',
      reason: 'live_expectancy',
      detail: `live expectancy ${recent.expectancy.toFixed(4)} ≤ 0 over ${recent.trades} trades`,
    };
  return { state: 'live', reason: 'live_healthy', detail: 'live performance within limits' };
}

/**
 * The next lifecycle state: shadow goes live only when every readiness criterion is green (or an
 * override is recorded); live goes back to shadow when its own results degrade, whatever the gate says.
 */
export function nextLifecycle(
  state: LifecycleState,
  readiness: ReadinessReport,
  recentLive: RecentLive | null,
  options: {
    overridden?: boolean;
    limits?: DemotionLimits;
    /** The thresholds judged looser than the defaults, described (`minClosedTrades 0 (default 30)`). */
    loosened?: readonly string[];
  } = {},
): LifecycleStep {
  if (state === 'shadow') return promote(readiness, options.overridden ?? false, options.loosened ?? []);
  return review(recentLive, options.limits ?? DEFAULT_DEMOTION_LIMITS);
}
