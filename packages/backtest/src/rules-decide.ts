import { RulesProvider } from '@ballast/agents';
import type { FeatureVector, SignalCandidate, SignalDecision } from '@ballast/contracts';
import type { Decide } from '@ballast/core';

const RULES_META = { provider: 'rules', model: 'rules', fallbackUsed: false, auditId: null };

/**
 * The signals service's decision step with the offline rules analyst and reviewer (packages/agents):
 * what a deployment without an API key runs. It needs the features the candidate came from, which
 * `features` returns (the runtime keeps the last vector per series from the bus).
 */
export function rulesDecide(features: (candidate: SignalCandidate) => FeatureVector | undefined): Decide {
  const provider = new RulesProvider();
  return (candidate): SignalDecision => {
    const vector = features(candidate);
    if (!vector) return { candidate, analyst: null, reviewer: null, approved: false, sizeMultiplier: 0 };
    const analyst = provider.analyse(candidate, vector);
    const review = provider.review(candidate, vector, analyst);
    return {
      candidate,
      analyst: { ...analyst, meta: RULES_META },
      reviewer: { ...review, meta: RULES_META },
      approved: review.approve,
      sizeMultiplier: review.approve ? Math.min(1, review.sizeMultiplier) : 0,
    };
  };
}
