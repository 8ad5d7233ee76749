import { RulesProvider } from '@ballast/agents';
import type { SignalDecision } from '@ballast/contracts';
import type { Decide } from '@ballast/core';

const RULES_META = { provider: 'rules', model: 'rules', fallbackUsed: false, auditId: null };

/**
 * The signals service's decision step with the offline rules analyst and reviewer (packages/agents):
 * what a deployment without an API key runs, judged on the vector of the candidate's own bar.
 */
export function rulesDecide(minRewardRisk: number): Decide {
  const provider = new RulesProvider({ minRewardRisk });
  return (candidate, vector): SignalDecision => {
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
