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
     * the volatility regime's scale comes as the reviewer's sizeMultiplier). Optional: candidates from
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

export const ReviewVerdict = z.object({
  approve: z.boolean(),
  /** The reviewer may only shrink a position. */
  sizeMultiplier: Ratio,
  reasons: z.array(z.string().max(500)).max(10),
});
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;

export const AgentOutcome = z.object({
  provider: z.string(),
  model: z.string(),
  fallbackUsed: z.boolean(),
  auditId: z.string().nullable(),
});

export const SignalDecision = z.object({
  candidate: SignalCandidate,
  analyst: AnalystVerdict.extend({ meta: AgentOutcome }).nullable(),
  reviewer: ReviewVerdict.extend({ meta: AgentOutcome }).nullable(),
  approved: z.boolean(),
  sizeMultiplier: Ratio,
});
export type SignalDecision = z.infer<typeof SignalDecision>;
