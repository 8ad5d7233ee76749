import { settleReview } from '@ballast/agents';
import type { ReviewVerdict, SignalDecision } from '@ballast/contracts';
import type { Decide } from '@ballast/core';

/** What no reviewer says: approve, and leave the size to the guards. */
const NO_REVIEW: ReviewVerdict = { approve: true, sizeMultiplier: 1, reasons: ['no review'] };

/**
 * The backtest's `agents: 'none'`: no analyst and no reviewer, but the guards every live decision path
 * passes through (settleReview): extreme volatility is refused and the size is capped at the volatility
 * regime's positionScale, which risk leaves to this multiplier. Without them a run would size 2× to 4×
 * what live would in volatile markets, and take entries live always refuses. Judged on the vector of
 * the candidate's own bar.
 */
export function unreviewedDecide(): Decide {
  return (candidate, vector): SignalDecision => {
    const settled = settleReview({ verdict: NO_REVIEW, failure: null }, vector.volatility, 'rules');
    return { candidate, analyst: null, reviewer: null, ...settled };
  };
}
