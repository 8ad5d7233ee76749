import {
  type AnalystVerdict,
  type Candle,
  type FeatureVector,
  type ReviewVerdict,
  type SignalCandidate,
  SignalDecision,
} from '@ballast/contracts';
import type { AgentResult, AgentRunner, PendingResult } from '../agent-runner';
import { ANALYST_SYSTEM, analystPrompt } from '../prompts/analyst-prompt';
import { REVIEWER_SYSTEM, reviewerPrompt } from '../prompts/reviewer-prompt';
import { rulesAnalyst } from '../rules/rules-analyst';
import { MIN_REWARD_RISK, rulesReviewer } from '../rules/rules-reviewer';
import { type LessonConfig, type LessonStore, lessonsFor } from './lessons';
import { failedReviewVerdict, failureRejects, type ReviewerFallback, settleReview } from './settle-review';
import {
  ANALYST_JSON_SCHEMA,
  parseAnalystVerdict,
  parseReviewVerdict,
  REVIEW_JSON_SCHEMA,
  salvageReviewVeto,
} from './verdict-schemas';

export interface DecisionContext {
  readonly correlationId: string;
  readonly features: FeatureVector;
  readonly recentCandles: readonly Candle[];
}

export interface DecisionDeps {
  /** Default Gemini. */
  readonly analyst: AgentRunner;
  /** Default Claude. */
  readonly reviewer: AgentRunner;
  readonly lessons: LessonStore;
  readonly lessonConfig: LessonConfig;
  /** When the reviewer model gives no valid verdict: a rejection (default) or the rules review. */
  readonly reviewerFallback?: ReviewerFallback;
  /** The rules reviewer's reward:risk floor: the veto tier's (SIGNALS_MIN_REWARD_RISK); default 1.5. */
  readonly minRewardRisk?: number;
}

/**
 * Room for the largest verdict the schemas allow (10 review reasons of 500 chars, or 4,000 chars of
 * analyst reasoning, ~5,300 chars of JSON) at a conservative 3 chars per token; a vendor's thinking
 * budget comes on top (the Gemini provider adds its own).
 */
export const MAX_OUTPUT_TOKENS = 2_048;

/**
 * Adds judgement to a candidate without any way to break a hard limit: a vetoed candidate is rejected
 * without asking anyone; the reviewer can only reject or shrink, never above the volatility regime's
 * scale, and never approves in extreme volatility (settleReview); a veto in a reply that fails the
 * schema stands. The risk engine downstream still applies every limit to whatever size results.
 */
export async function decideWithAgents(
  candidate: SignalCandidate,
  context: DecisionContext,
  deps: DecisionDeps,
): Promise<SignalDecision> {
  if (candidate.veto) {
    return SignalDecision.parse({
      candidate,
      analyst: null,
      reviewer: null,
      approved: false,
      sizeMultiplier: 0,
      rejection: { reason: 'vetoed', detail: candidate.veto.reason },
    });
  }
  const fallback = deps.reviewerFallback ?? 'reject';
  // Lessons are read only when a model will read the prompt: the rules ignore them (as they do the
  // recent candles), so with rules on both sides the audited prompt shows none and no query is made.
  const modelReads = deps.analyst.providerLabel !== 'rules' || deps.reviewer.providerLabel !== 'rules';
  const lessons = modelReads ? await lessonsFor(deps.lessons, candidate, deps.lessonConfig) : [];
  // The analyst's audit row is written while the reviewer is asked; the decision (with both audit ids)
  // is made once both rows are.
  const asked = await runAnalyst(candidate, context, lessons, deps.analyst);
  const reviewed = await runReviewer(candidate, context, asked.verdict, lessons, deps, fallback);
  const [analyst, reviewer] = await Promise.all([asked.audited, reviewed.audited]);
  const failure = reviewer.fallbackUsed ? reviewer.errorReason : null;
  const answered = reviewer.fallbackUsed && reviewer.errorAnswered;
  const settled = settleReview(
    { verdict: reviewer.verdict, failure, answered },
    context.features.volatility,
    fallback,
  );
  return SignalDecision.parse({
    candidate,
    analyst: { ...analyst.verdict, meta: meta(analyst) },
    reviewer: { ...reviewer.verdict, meta: meta(reviewer) },
    ...settled,
  });
}

function runAnalyst(
  candidate: SignalCandidate,
  context: DecisionContext,
  lessons: readonly string[],
  runner: AgentRunner,
): Promise<PendingResult<AnalystVerdict>> {
  return runner.start({
    agent: 'analyst',
    correlationId: context.correlationId,
    system: ANALYST_SYSTEM,
    prompt: analystPrompt(candidate, context.features, context.recentCandles, lessons),
    schemaName: 'analyst_verdict',
    schema: ANALYST_JSON_SCHEMA,
    maxOutputTokens: MAX_OUTPUT_TOKENS,
    parse: parseAnalystVerdict,
    fallback: () => rulesAnalyst(candidate, context.features),
  });
}

function runReviewer(
  candidate: SignalCandidate,
  context: DecisionContext,
  analyst: AnalystVerdict,
  lessons: readonly string[],
  deps: DecisionDeps,
  fallback: ReviewerFallback,
): Promise<PendingResult<ReviewVerdict>> {
  return deps.reviewer.start({
    agent: 'reviewer',
    correlationId: context.correlationId,
    system: REVIEWER_SYSTEM,
    prompt: reviewerPrompt(candidate, context.features, analyst, lessons),
    schemaName: 'review_verdict',
    schema: REVIEW_JSON_SCHEMA,
    maxOutputTokens: MAX_OUTPUT_TOKENS,
    parse: parseReviewVerdict,
    salvage: salvageReviewVeto,
    fallback: (failure, answered) =>
      failure !== null && failureRejects(failure, answered, fallback)
        ? failedReviewVerdict(failure)
        : rulesReviewer(candidate, context.features, analyst, deps.minRewardRisk ?? MIN_REWARD_RISK),
  });
}

function meta(result: AgentResult<unknown>) {
  return {
    provider: result.provider,
    model: result.model,
    fallbackUsed: result.fallbackUsed,
    auditId: result.auditId,
  };
}
