import type { SignalDecision } from '@ballast/contracts';

const MAX_CHARS = 1_000;

/** The decision in a line, for the reflector: what was decided and the reviewer's reasons. */
export function decisionSummary(decision: SignalDecision): string {
  const verdict = decision.approved ? `approved at ${decision.sizeMultiplier}` : 'rejected by the reviewer';
  const reasons = decision.reviewer?.reasons.join('; ') ?? '';
  return (reasons === '' ? verdict : `${verdict}: ${reasons}`).slice(0, MAX_CHARS);
}

/** A vetoed candidate's decision line. */
export function vetoSummary(veto: { reason: string; detail: string }): string {
  return `vetoed (${veto.reason}): ${veto.detail}`.slice(0, MAX_CHARS);
}
