import type { SignalCandidate } from '@ballast/contracts';

/**
 * Tier 1: orders one cycle's candidates by confidence, best first, and numbers them from 1. Ties break
 * on symbol, strategy and side so a replay ranks identically.
 */
export function rankCandidates(candidates: readonly SignalCandidate[]): SignalCandidate[] {
  return [...candidates]
    .sort(
      (a, b) =>
        b.confidence - a.confidence ||
        compare(a.symbol, b.symbol) ||
        compare(a.strategy, b.strategy) ||
        compare(a.side, b.side),
    )
    .map((c, i) => ({ ...c, rank: i + 1 }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
