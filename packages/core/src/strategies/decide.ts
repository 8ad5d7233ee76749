import type { FeatureVector, SignalCandidate, SignalDecision } from '@ballast/contracts';

/**
 * Turns a candidate that passed the vetoes into a decision, judged on the vector of its own bar; the LLM
 * analyst/reviewer tier replaces it.
 */
export type Decide = (
  candidate: SignalCandidate,
  features: FeatureVector,
) => SignalDecision | Promise<SignalDecision>;

/**
 * The decision for a candidate whose strategy an operator switched off after it proposed (it waited in
 * its cycle, or was delivered again): not approved, and no agent is asked.
 */
export function switchedOffDecision(candidate: SignalCandidate): SignalDecision {
  return unaskedRejection(candidate, {
    reason: 'strategy_disabled',
    detail: `${candidate.strategy} was switched off after it proposed`,
  });
}

/** A candidate rejected without asking an analyst or a reviewer. */
export function unaskedRejection(
  candidate: SignalCandidate,
  rejection: NonNullable<SignalDecision['rejection']>,
): SignalDecision {
  return { candidate, analyst: null, reviewer: null, approved: false, sizeMultiplier: 0, rejection };
}
