import type { DecisionRejectReason, ReviewVerdict, VolatilityRegime } from '@ballast/contracts';
import { type AgentErrorReason, ANSWERED_REASONS } from '../agent-error';
import { shrinkOnly, VETO_KEPT } from './verdict-schemas';

/**
 * What a reviewer that gives no valid verdict stands for: a rejection (the default: an unavailable
 * reviewer must not approve), or, opted into, the rules reviewer.
 */
export const REVIEWER_FALLBACKS = ['reject', 'rules'] as const;
export type ReviewerFallback = (typeof REVIEWER_FALLBACKS)[number];

export interface Review {
  readonly verdict: ReviewVerdict;
  /** Why the model gave no valid verdict (the verdict is then the fallback's); null when it did. */
  readonly failure: AgentErrorReason | null;
  /** Whether that failure was a reply the vendor answered that we could not use (answeredUnusably). */
  readonly answered?: boolean;
}

export interface SettledReview {
  readonly approved: boolean;
  readonly sizeMultiplier: number;
  readonly rejection: { readonly reason: DecisionRejectReason; readonly detail: string } | null;
}

/**
 * The decision a review comes to, under guards no reviewer can talk its way past: extreme volatility
 * rejects, and the size never exceeds the volatility regime's positionScale (risk leaves volatility
 * scaling to this multiplier, which the rules reviewer sizes by and a model may not); an approval at
 * size 0 is a rejection. With the `reject` fallback, a review the model failed to give rejects.
 */
export function settleReview(
  review: Review,
  volatility: VolatilityRegime,
  fallback: ReviewerFallback,
): SettledReview {
  if (volatility.level === 'extreme')
    return rejected('extreme_volatility', `volatility ratio ${volatility.ratio} is extreme`);
  // A veto kept from a reply that failed the schema is the reviewer's own no: its reasons are the detail.
  if (review.failure !== null && isKeptVeto(review.verdict))
    return rejected('reviewer_rejected', review.verdict.reasons.join('; '));
  if (review.failure !== null && failureRejects(review.failure, review.answered ?? false, fallback))
    return rejected('reviewer_failed', review.failure);
  if (!review.verdict.approve) return rejected('reviewer_rejected', review.verdict.reasons.join('; '));
  const cap = shrinkOnly(volatility.positionScale);
  const sizeMultiplier = Math.min(shrinkOnly(review.verdict.sizeMultiplier), cap);
  // Nothing to trade: risk would deny it as an order below the venue's minimum, which it is not.
  if (sizeMultiplier === 0)
    return rejected('reviewer_rejected', `approved at size 0: ${review.verdict.reasons.join('; ')}`);
  return { approved: true, sizeMultiplier, rejection: null };
}

/**
 * Whether a reviewer failing so rejects the candidate: always under `reject`; under `rules` when the
 * model did answer but unusably (it may have rejected in prose, or in the reply whose connection dropped
 * after its headers), the rules standing in only for a model that could not be reached.
 */
export function failureRejects(
  failure: AgentErrorReason,
  answered: boolean,
  fallback: ReviewerFallback,
): boolean {
  return fallback === 'reject' || answered || ANSWERED_REASONS.has(failure);
}

function isKeptVeto(verdict: ReviewVerdict): boolean {
  return !verdict.approve && verdict.reasons[0] === VETO_KEPT;
}

/** The reviewer's verdict when its failure rejects (failureRejects): audited as given. */
export function failedReviewVerdict(failure: AgentErrorReason): ReviewVerdict {
  return { approve: false, sizeMultiplier: 0, reasons: [`reviewer_failed: ${failure}`] };
}

function rejected(reason: DecisionRejectReason, detail: string): SettledReview {
  return { approved: false, sizeMultiplier: 0, rejection: { reason, detail } };
}
