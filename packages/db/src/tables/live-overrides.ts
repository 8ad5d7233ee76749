import type { Int8, Jsonb } from '../column-types';

/** A person's recorded decision to let a strategy trade live although readiness criteria were red. */
export interface LiveOverridesTable {
  id: string;
  strategy: string;
  reason: string;
  overridden_by: string;
  /** The criteria that were red when the override was recorded; it covers these and no others. */
  red_criteria: Jsonb;
  created_at: Int8;
  /** Past it the override no longer keeps the strategy live; null for overrides recorded before expiries. */
  expires_at: Int8 | null;
}

export const tableName = 'live_overrides';

export type PartialDB = { [tableName]: LiveOverridesTable };
