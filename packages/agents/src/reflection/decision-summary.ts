import type { SignalDecision } from '@ballast/contracts';
import { cutText } from '../providers/storable-text';

const MAX_CHARS = 1_000;

/**
 * The decision in a line, for the reflector: what was decided and the reviewer's reasons, or the
 * guard's reason when the decision rejected for another (extreme volatility, a failed reviewer).
 */
export function decisionSummary(decision: SignalDecision): string {
  const rejection = decision.rejection;
  if (!decision.approved && rejection && rejection.reason !== 'reviewer_rejected')
    return cutText(`rejected (${rejection.reason}): ${rejection.detail}`, MAX_CHARS);
  const verdict = decision.approved ? `approved at ${decision.sizeMultiplier}` : 'rejected by the reviewer';
  const reasons = decision.reviewer?.reasons.join('; ') ?? '';
  return cutText(reasons === '' ? verdict : `${verdict}: ${reasons}`, MAX_CHARS);
}

/** A vetoed candidate's decision line. */
export function vetoSummary(veto: { reason: string; detail: string }): string {
  return cutText(`vetoed (${veto.reason}): ${veto.detail}`, MAX_CHARS);
}
