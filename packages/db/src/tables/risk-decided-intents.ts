import type { Int8, Jsonb } from '../column-types';

/**
 * What risk decided for each intent, until the decision's reservation expires: a row per intent, so a
 * decision writes its own row, not every decision remembered.
 */
export interface RiskDecidedIntentsTable {
  venue: string;
  intent_id: string;
  /** The decision as risk remembers it (checked against risk's schema on load). */
  decided: Jsonb;
  /** Epoch ms (injected clock) after which the decision is forgotten. */
  expires_at: Int8;
}

export const tableName = 'risk_decided_intents';

export type PartialDB = { [tableName]: RiskDecidedIntentsTable };
