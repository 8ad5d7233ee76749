import type { StoredLifecycle } from './readiness-state';

/** Why a strategy may not trade on a live venue, one closed set. */
export type LiveStartRefusalReason =
  | 'no_live_strategies'
  | 'not_listed'
  | 'never_judged'
  | 'in_shadow'
  /** Live by an override past its expiry, which risk's review has not demoted yet. */
  | 'override_expired';

export interface LiveStartRefusal {
  strategy: string | null;
  reason: LiveStartRefusalReason;
  detail: string;
}

/**
 * Whether live trading may start for these strategies at `now`: each must have been promoted to `live`
 * by the readiness gate (all criteria green, or a recorded override not yet expired: past its expiry
 * the record may still say live until risk's review demotes it). Returns every refusal, empty when allowed.
 */
export function liveStartRefusals(
  strategies: readonly string[],
  lifecycles: ReadonlyMap<string, StoredLifecycle>,
  now: number,
): LiveStartRefusal[] {
  if (strategies.length === 0)
    return [
      { strategy: null, reason: 'no_live_strategies', detail: 'no strategy is configured to trade live' },
    ];
  const refusals: LiveStartRefusal[] = [];
  for (const strategy of strategies) {
    const lifecycle = lifecycles.get(strategy);
    if (!lifecycle)
      refusals.push({
        strategy,
        reason: 'never_judged',
        detail: `${strategy} has no readiness verdict; run \`pnpm ballast readiness --strategy ${strategy}\``,
      });
    else if (lifecycle.state !== 'live')
      refusals.push({
        strategy,
        reason: 'in_shadow',
        detail: `${strategy} is in shadow (${lifecycle.reason}: ${lifecycle.detail})`,
      });
    else if (lifecycle.overrideExpiresAt !== undefined && now >= lifecycle.overrideExpiresAt)
      refusals.push({
        strategy,
        reason: 'override_expired',
        detail: `${strategy} is live by an override that expired ${new Date(lifecycle.overrideExpiresAt).toISOString()}; only \`pnpm ballast readiness\` finding it all green keeps it live`,
      });
  }
  return refusals;
}

/**
 * Whether an entry of this strategy may go to a live venue now: the strategy must be listed to trade
 * live and still be `live` in its lifecycle (a demotion by the readiness gate stops its entries), not by
 * an expired override.
 * Null when allowed.
 */
export function liveEntryRefusal(
  strategy: string,
  liveStrategies: readonly string[],
  lifecycles: ReadonlyMap<string, StoredLifecycle>,
  now: number,
): LiveStartRefusal | null {
  if (!liveStrategies.includes(strategy))
    return {
      strategy,
      reason: 'not_listed',
      detail: `${strategy} is not in LIVE_STRATEGIES (${liveStrategies.join(', ') || 'none'})`,
    };
  return liveStartRefusals([strategy], lifecycles, now)[0] ?? null;
}
