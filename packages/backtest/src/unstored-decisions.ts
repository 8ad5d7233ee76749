import type { DecidedStore } from '@ballast/risk-service';
import type { SignalsServiceDeps } from '@ballast/signals-service';

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

/**
 * The signals service's first decision per candidate in a run, kept in memory: a delivery repeated within
 * the run (a handler failed) gets it back as it would from the signal_decisions table, and the run never
 * restarts, so the table would only cost a read and a write in PGlite per candidate that passed.
 */
export function keptFirstDecisions(): NonNullable<SignalsServiceDeps['firstDecisions']> {
  const kept = new Map<string, { decision: unknown; decidedAt: number }>();
  return {
    first: async (candidateId) => kept.get(candidateId),
    keepFirst: async (candidateId, decision, decidedAt) => {
      const earlier = kept.get(candidateId);
      if (earlier) return earlier;
      kept.set(candidateId, { decision, decidedAt });
      return undefined;
    },
  };
}

/**
 * The vectors of cycles waiting for symbols in a run, kept nowhere: they are kept so a restart after a
 * crash finds its open cycles, and a run never restarts (its end flushes them), so the table would only
 * cost a write per vector and a delete per cycle in PGlite.
 */
export function unkeptWaitingVectors(): NonNullable<SignalsServiceDeps['waitingVectors']> {
  return {
    keep: async () => undefined,
    settled: async () => undefined,
    all: async () => [],
  };
}
