import type { SignalCandidate, SignalDecision } from '@ballast/contracts';

/** Turns a candidate that passed the vetoes into a decision; the LLM analyst/reviewer tier replaces it. */
export type Decide = (candidate: SignalCandidate) => SignalDecision | Promise<SignalDecision>;

/** The rule-only decision: approve at full size, no analyst, no reviewer. */
export const approveWithoutReview: Decide = (candidate) => ({
  candidate,
  analyst: null,
  reviewer: null,
  approved: true,
  sizeMultiplier: 1,
});
