import type { Int8, Jsonb } from '../column-types';

/** Every change of trading configuration, with who made it, when, why and what it changed. */
export interface ConfigChangesTable {
  id: string;
  /** risk_limits, strategy_enabled, lifecycle or readiness_override. */
  kind: string;
  /** What changed: a strategy's name, or `risk` for the account-wide limits. */
  subject: string;
  actor: string;
  /** Where it was made: `cli` or `gateway`. */
  source: string;
  reason: string;
  /** `[{ path, from, to }]`, one entry per changed leaf. */
  diff: Jsonb;
  /** The figures behind the change (readiness criteria, live results), when a rule made it. */
  figures: Jsonb | null;
  created_at: Int8;
}

export const tableName = 'config_changes';

export type PartialDB = { [tableName]: ConfigChangesTable };
