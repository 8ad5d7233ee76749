import type { DecidedStore } from '@ballast/risk-service';

/**
 * Risk's decisions in a run: a run never restarts, so no decision is ever read back, and its database
 * starts empty (what the risk_decided_intents table would give at start). Writing each decision there
 * was the most frequent statement of a replay (one per signal risk decides) and served nothing.
 */
export function unstoredDecisions(): DecidedStore {
  return {
    load: async () => [],
    save: async () => undefined,
  };
}
