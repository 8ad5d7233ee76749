import type { Clock } from '@ballast/contracts';
import {
  DEFAULT_READINESS_THRESHOLDS,
  evaluateReadiness,
  type ReadinessCriterion,
  type ReadinessReport,
  type ReadinessThresholds,
  redCriteria,
} from '@ballast/core';
import { type Database, type LiveOverride, LiveOverrideRepository } from '@ballast/db';
import type { Kysely } from 'kysely';
import { gatherReadiness } from './gather-readiness';

/** Why live trading may not start, one closed set. */
export type LiveNotAllowedReason = 'readiness_red' | 'override_stale';

/** Live start-up refused: names the strategy and every red criterion with its figure. */
export class LiveNotAllowedError extends Error {
  override readonly name = 'LiveNotAllowedError';
  constructor(
    readonly reason: LiveNotAllowedReason,
    readonly strategy: string,
    readonly red: ReadinessCriterion[],
    readonly report: ReadinessReport,
  ) {
    super(
      `strategy ${strategy} may not trade live: ${red
        .map((c) => {
          const r = report.criteria.find((x) => x.criterion === c);
          return `${c} ${r?.value === null || r?.value === undefined ? 'unmeasured' : r.value.toFixed(2)} (needs ${r?.comparison} ${r?.threshold})`;
        })
        .join(
          ', ',
        )}${reason === 'override_stale' ? '; the recorded override does not cover all of them' : ''}`,
    );
  }
}

export interface LiveAllowance {
  strategy: string;
  via: 'all_green' | 'override';
  report: ReadinessReport;
  override?: LiveOverride;
}

export interface AssertLiveOptions {
  clock: Clock;
  initialEquity: number;
  thresholds?: ReadinessThresholds;
}

/**
 * For live start-up: resolves when every readiness criterion is green, or when the latest recorded
 * override covers every criterion that is red now (an override does not cover criteria that turned
 * red after it was given); otherwise throws LiveNotAllowedError listing the red criteria.
 */
export async function assertLiveAllowed(
  strategy: string,
  db: Kysely<Database>,
  options: AssertLiveOptions,
): Promise<LiveAllowance> {
  const { inputs } = await gatherReadiness({
    db,
    clock: options.clock,
    strategy,
    initialEquity: options.initialEquity,
  });
  const report = evaluateReadiness(inputs, options.thresholds ?? DEFAULT_READINESS_THRESHOLDS);
  if (report.ok) return { strategy, via: 'all_green', report };
  const red = redCriteria(report);
  const override = await new LiveOverrideRepository(db).latest(strategy);
  if (!override) throw new LiveNotAllowedError('readiness_red', strategy, red, report);
  if (red.some((c) => !override.redCriteria.includes(c)))
    throw new LiveNotAllowedError('override_stale', strategy, red, report);
  return { strategy, via: 'override', report, override };
}
