import type { Clock, IdGenerator } from '@ballast/contracts';
import {
  LIFECYCLE_KEY_PREFIX,
  type LifecycleStep,
  readinessKeys,
  type StoredLifecycle,
  StoredLifecycle as StoredLifecycleSchema,
} from '@ballast/core';
import {
  BotStateRepository,
  type ConfigChange,
  ConfigChangeRepository,
  type Database,
  diffConfig,
} from '@ballast/db';
import type { Kysely } from 'kysely';

export interface LifecycleRecordDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
}

/** One lifecycle step to record, with who took it and the figures behind it. */
export interface LifecycleChange {
  strategy: string;
  /** The record before this step; undefined when the strategy was never judged. */
  stored: StoredLifecycle | undefined;
  step: LifecycleStep;
  actor: string;
  source: ConfigChange['source'];
  figures: Record<string, unknown>;
  /** On a promotion, each venue account's equity now (kept while the strategy stays live). */
  equityAtLive?: Record<string, number>;
  /**
   * Writes that stand only with this step (the override a promotion is granted by, and its audit):
   * made in its transaction once the record is the one judged, so none is left when the other writer
   * moved it and nothing was recorded.
   */
  alongside?: (trx: Kysely<Database>) => Promise<void>;
}

/** The strategy's lifecycle as last recorded, or undefined when never judged. */
export async function readLifecycle(
  deps: Pick<LifecycleRecordDeps, 'db' | 'clock'>,
  strategy: string,
): Promise<StoredLifecycle | undefined> {
  const state = new BotStateRepository(deps.db, deps.clock);
  return (await state.get(readinessKeys.lifecycle(strategy), StoredLifecycleSchema))?.value;
}

/** Every strategy with a recorded lifecycle. */
export async function judgedStrategies(deps: Pick<LifecycleRecordDeps, 'db' | 'clock'>): Promise<string[]> {
  const keys = await new BotStateRepository(deps.db, deps.clock).keys(LIFECYCLE_KEY_PREFIX);
  return keys.map((k) => k.slice(LIFECYCLE_KEY_PREFIX.length));
}

/**
 * Records a lifecycle step the one way `ballast readiness` and risk's automatic review both do: the
 * lifecycle (its `since` kept while the state holds), an audit row when the state changes, and on a
 * demotion a new paper period from now, so the strategy goes live again only on fresh evidence.
 * Written only while the record is still the one the step was judged on (`stored`'s state and since):
 * when the other writer moved it meanwhile (risk demoted it while a readiness run judged it live), nothing
 * is written and undefined is returned, for the caller to judge the new record or say so.
 */
export async function recordLifecycle(
  deps: LifecycleRecordDeps,
  change: LifecycleChange,
): Promise<StoredLifecycle | undefined> {
  const { stored, step, strategy } = change;
  const now = deps.clock.now();
  const from = stored?.state ?? 'shadow';
  const held = step.state === from && stored !== undefined;
  const equityAtLive = step.state !== 'live' ? undefined : held ? stored.equityAtLive : change.equityAtLive;
  const record: StoredLifecycle = {
    ...step,
    since: held ? stored.since : now,
    ...(equityAtLive ? { equityAtLive } : {}),
  };
  const read = stored ? { state: stored.state, since: stored.since } : null;
  // One transaction: a demotion is never seen (or left by a crash) without its new paper period and audit row.
  const written = await deps.db.transaction().execute(async (trx) => {
    const state = new BotStateRepository(trx, deps.clock);
    if (!(await state.setIf(readinessKeys.lifecycle(strategy), record, read))) return false;
    if (from === 'live' && step.state === 'shadow')
      await state.set(readinessKeys.paperStart(strategy), { at: now });
    if (!stored || step.state !== from)
      await new ConfigChangeRepository(trx).record({
        id: deps.ids(),
        kind: 'lifecycle',
        subject: strategy,
        actor: change.actor,
        source: change.source,
        reason: `${step.reason}: ${step.detail}`,
        diff: diffConfig(stored ? { state: from } : {}, { state: step.state }),
        figures: change.figures,
        createdAt: now,
      });
    await change.alongside?.(trx);
    return true;
  });
  if (!written) return undefined;
  return record;
}
