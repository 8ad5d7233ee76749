import type { Clock } from '@ballast/contracts';
import { type LiveStartRefusal, liveStartRefusals, readinessKeys, StoredLifecycle } from '@ballast/core';
import { BotStateRepository, type Database } from '@ballast/db';
import type { Kysely } from 'kysely';

/** Live trading refused at start: lists every strategy that the readiness gate has not promoted. */
export class LiveStartRefusedError extends Error {
  override readonly name = 'LiveStartRefusedError';
  readonly reason = 'readiness_gate';

  constructor(readonly refusals: readonly LiveStartRefusal[]) {
    super(
      `live trading refused by the readiness gate: ${refusals.map((r) => r.detail).join('; ')} ` +
        '(a strategy goes live only when `pnpm ballast readiness` finds every criterion green, or with a recorded --override)',
    );
  }
}

/**
 * Reads each strategy's lifecycle, recorded by `ballast readiness`, and throws unless all are live.
 * The gate itself (criteria, overrides) lives in the readiness command; here we only honour its verdict.
 */
export async function assertLiveStart(
  db: Kysely<Database>,
  clock: Clock,
  strategies: readonly string[],
): Promise<void> {
  const state = new BotStateRepository(db, clock);
  const lifecycles = new Map<string, StoredLifecycle>();
  for (const strategy of strategies) {
    const stored = await state.get(readinessKeys.lifecycle(strategy), StoredLifecycle);
    if (stored) lifecycles.set(strategy, stored.value);
  }
  const refusals = liveStartRefusals(strategies, lifecycles);
  if (refusals.length > 0) throw new LiveStartRefusedError(refusals);
}

/** A base URL on this machine: the exchange simulator or a test double, never a venue holding real money. */
export function isLoopback(baseUrl: string | undefined): boolean {
  if (!baseUrl) return false;
  const host = new URL(baseUrl).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}
