import type { ReadinessReport } from './evaluate-readiness';
import { redCriteria } from './evaluate-readiness';
import { closedTradeDrawdownPct, enteredSince, type PerformanceTrade } from './paper-performance';
import type { StoredLifecycle } from './readiness-state';

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
  /** Live by an override whose term ended while the gate was not all green. */
  | 'override_expired'
  | 'live_healthy';

/** Live performance since going live, as the demotion rule sees it. */
export interface RecentLive {
  trades: number;
  expectancy: number | null;
  drawdownPct: number;
}

/**
 * A strategy's live results from its trades entered since `since` (a paper position closing after the
 * promotion is not live evidence): their drawdown from `equity` (the account's equity when it went
 * live), at the end with `openPnl`, its open positions' result at their marks (a loss held open is lost
 * as much as one closed: left out, a live strategy under water on a position it never closed stayed
 * live), and expectancy (closed trades only).
 */
export function liveResults(
  trades: readonly PerformanceTrade[],
  since: number,
  equity: number,
  openPnl = 0,
): RecentLive {
  const live = trades.filter((t) => enteredSince(t, since));
  const net = live.reduce((s, t) => s + t.pnl, 0);
  return {
    trades: live.length,
    expectancy: live.length === 0 ? null : net / live.length,
    drawdownPct: closedTradeDrawdownPct(live, equity, openPnl),
  };
}

export interface DemotionLimits {
  /** Demote when live drawdown reaches this, in percent of peak. */
  maxDrawdownPct: number;
  /** Judge expectancy only after this many live trades, so two unlucky trades do not demote. */
  minTradesForExpectancy: number;
}

export const DEFAULT_DEMOTION_LIMITS: DemotionLimits = { maxDrawdownPct: 15, minTradesForExpectancy: 10 };

/** How long an override keeps a strategy live without an all-green gate, unless told otherwise. */
export const DEFAULT_OVERRIDE_TTL_MS = 30 * 86_400_000;

export interface LifecycleStep {
  state: LifecycleState;
  reason: LifecycleReason;
  detail: string;
  /** Live by override until then (epoch ms); absent once the gate is all green. */
  overrideExpiresAt?: number;
}

function promote(
  readiness: ReadinessReport,
  override: { expiresAt: number } | null,
  loosened: readonly string[],
): LifecycleStep {
  if (readiness.ok && loosened.length > 0)
    return {
      state: 'live',
      reason: 'green_loosened',
      detail: `every criterion is green under a gate looser than the defaults: ${loosened.join(', ')}`,
    };
  if (readiness.ok) return { state: 'live', reason: 'all_green', detail: 'every criterion is green' };
  const red = redCriteria(readiness).join(', ');
  if (override)
    return {
      state: 'live',
      reason: 'override',
      detail: `live by recorded override until ${new Date(override.expiresAt).toISOString()}; red: ${red}`,
      overrideExpiresAt: override.expiresAt,
    };
  return { state: 'shadow', reason: 'criteria_red', detail: `red: ${red}` };
}

/** What a live review knows besides the live results. */
export interface LiveReviewContext {
  now: number;
  /** The gate's verdict now; null where it cannot be judged (a service: no backtest at hand). */
  gateGreen: boolean | null;
  limits?: DemotionLimits;
}

/**
 * Whether a live strategy stays live: demoted when its live results degrade, or when the override it
 * went live by has expired and the gate is not all green (unknown counts as not green: a service
 * demotes at expiry unless `ballast readiness` found it all green since, which ends the override).
 */
export function reviewLive(
  current: Pick<StoredLifecycle, 'overrideExpiresAt'>,
  recent: RecentLive | null,
  context: LiveReviewContext,
): LifecycleStep {
  const limits = context.limits ?? DEFAULT_DEMOTION_LIMITS;
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
  const expiresAt = context.gateGreen ? undefined : current.overrideExpiresAt;
  if (expiresAt !== undefined && context.now >= expiresAt)
    return {
      state: 'shadow',
      reason: 'override_expired',
      detail: `the override expired ${new Date(expiresAt).toISOString()} and the gate is ${context.gateGreen === null ? 'not judged all green since' : 'not all green'}`,
    };
  return {
    state: 'live',
    reason: 'live_healthy',
    detail: 'live performance within limits',
    ...(expiresAt === undefined ? {} : { overrideExpiresAt: expiresAt }),
  };
}

/**
 * The next lifecycle state: shadow goes live only when every readiness criterion is green (or an
 * override is recorded); live goes back to shadow when its own results degrade, whatever the gate says.
 */
export function nextLifecycle(
  current: Pick<StoredLifecycle, 'state' | 'overrideExpiresAt'>,
  readiness: ReadinessReport,
  recentLive: RecentLive | null,
  options: {
    now: number;
    /** An override recorded in this run, and until when it holds. */
    override?: { expiresAt: number };
    limits?: DemotionLimits;
    /** The thresholds judged looser than the defaults, described (`minClosedTrades 0 (default 30)`). */
    loosened?: readonly string[];
  },
): LifecycleStep {
  const loosened = options.loosened ?? [];
  if (current.state === 'shadow') return promote(readiness, options.override ?? null, loosened);
  // Green only under a looser gate is not all green: it neither ends an override nor outlives its expiry.
  return reviewLive(current, recentLive, {
    now: options.now,
    gateGreen: readiness.ok && loosened.length === 0,
    ...(options.limits ? { limits: options.limits } : {}),
  });
}
