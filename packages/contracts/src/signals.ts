import { z } from 'zod';
import { MarketRegime } from './features';
import { Confidence, ExchangeId, PositionSide, Price, Ratio, SymbolId, Timeframe } from './primitives';

export const VetoReason = z.enum([
  'reward_risk_below_min',
  'excluded_symbol',
  'wrong_regime',
  'negative_hour_expectancy',
  'stale_data',
  'higher_timeframe_disagrees',
]);
export type VetoReason = z.infer<typeof VetoReason>;

export const SignalCandidate = z
  .object({
    id: z.string().min(1),
    strategy: z.string().min(1),
    setup: z.string().min(1),
    exchange: ExchangeId,
    symbol: SymbolId,
    timeframe: Timeframe,
    side: PositionSide,
    entry: Price,
    stop: Price,
    takeProfits: z.array(Price).min(1),
    confidence: Confidence,
    rank: z.number().int().positive().nullable(),
    rationale: z.string(),
    veto: z.object({ reason: VetoReason, detail: z.string() }).nullable(),
    /**
     * The market regime of the vector the candidate came from: risk sizes by it (the limits' regimeScale;
     * the volatility regime's scale comes in the decision's sizeMultiplier). Optional: candidates from
     * before it was added are sized as risk's default regime.
     */
    regime: MarketRegime.optional(),
  })
  .superRefine((c, ctx) => {
    const stopOnWrongSide = c.side === 'long' ? c.stop >= c.entry : c.stop <= c.entry;
    if (stopOnWrongSide)
      ctx.addIssue({ code: 'custom', message: 'stop on the wrong side of entry', path: ['stop'] });
  });
export type SignalCandidate = z.infer<typeof SignalCandidate>;

export const AnalystVerdict = z.object({
  setup: z.string(),
  trend: z.enum(['up', 'down', 'sideways']),
  strength: z.number().min(0).max(100),
  entryLow: Price,
  entryHigh: Price,
  stop: Price,
  takeProfit: Price,
  confidence: Confidence,
  reasoning: z.string().max(4000),
});
export type AnalystVerdict = z.infer<typeof AnalystVerdict>;

/** A review's reasons: at most this many, each at most this long. */
export const REVIEW_REASONS = { max: 10, maxChars: 500 } as const;

export const ReviewVerdict = z.object({
  approve: z.boolean(),
  /** The reviewer may only shrink a position. */
  sizeMultiplier: Ratio,
  reasons: z.array(z.string().max(REVIEW_REASONS.maxChars)).max(REVIEW_REASONS.max),
});
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;

export const AgentOutcome = z.object({
  provider: z.string(),
  model: z.string(),
  fallbackUsed: z.boolean(),
  auditId: z.string().nullable(),
});

/**
 * Why a decision rejects its candidate, as one closed set:
 * - `vetoed`: the candidate carried a veto; no agent was asked
 * - `extreme_volatility`: the volatility regime is extreme; rejected whatever the reviewer said
 * - `reviewer_failed`: the reviewer gave no valid verdict and REVIEWER_FALLBACK is `reject` (the default), or it
 *   answered but unreadably (not JSON, failing the schema, cut off at the token cap, refused: it may have said no)
 * - `reviewer_rejected`: the reviewer (a model, or the rules standing in for one) said no, or approved at size 0
 * - `strategy_disabled`: an operator switched the candidate's strategy off after it proposed; no agent was asked
 */
export const DecisionRejectReason = z.enum([
  'vetoed',
  'extreme_volatility',
  'reviewer_failed',
  'reviewer_rejected',
  'strategy_disabled',
]);
export type DecisionRejectReason = z.infer<typeof DecisionRejectReason>;

export const SignalDecision = z.object({
  candidate: SignalCandidate,
  analyst: AnalystVerdict.extend({ meta: AgentOutcome }).nullable(),
  reviewer: ReviewVerdict.extend({ meta: AgentOutcome }).nullable(),
  approved: z.boolean(),
  sizeMultiplier: Ratio,
  /**
   * Null when approved. Optional: decisions from before it was added, and from decision steps that do
   * not say (the backtest's rules), carry none.
   */
  rejection: z.object({ reason: DecisionRejectReason, detail: z.string() }).nullable().optional(),
});
export type SignalDecision = z.infer<typeof SignalDecision>;
