export { AgentError, type AgentErrorReason, RETRYABLE_REASONS } from './agent-error';
export type { AgentLog } from './agent-log';
export { type AgentMetrics, createAgentMetrics } from './agent-metrics';
export {
  type AgentName,
  type AgentResult,
  AgentRunner,
  type AgentRunnerDeps,
  type AgentTask,
  type AuthFailed,
  fullPrompt,
  type PendingResult,
  type UnusableReplies,
} from './agent-runner';
export type { AuditSink } from './audit/audit-sink';
export { promptSha256 } from './audit/prompt-hash';
export { spentTodayUsd } from './audit/spent-today';
export {
  type AgentsConfig,
  agentsConfigSchema,
  DEFAULT_PRICES,
  PROVIDER_CHOICES,
  type ProviderChoice,
} from './config/agents-config';
export { AgentsConfigError, type AgentsConfigProblem } from './config/agents-config-error';
export {
  type AgentChoice,
  type Agents,
  agentRetryPolicy,
  type BuildAgentsDeps,
  buildAgentsFromConfig,
  providerFor,
  worstAgentCallMs,
} from './config/build-agents';
export { type ResolvedProviders, resolveProviders } from './config/resolve-providers';
export { type DecisionContext, type DecisionDeps, decideWithAgents } from './pipeline/decide-with-agents';
export {
  DEFAULT_LESSONS,
  type LessonConfig,
  type LessonStore,
  lessonsFor,
  MAX_LESSON_CHARS,
  selectLessons,
} from './pipeline/lessons';
export { type ReflectDeps, reflect } from './pipeline/reflect';
export { ReflectionInput, resultInPercent, resultInR } from './pipeline/reflection-input';
export {
  failedReviewVerdict,
  REVIEWER_FALLBACKS,
  type ReviewerFallback,
  type SettledReview,
  settleReview,
} from './pipeline/settle-review';
export {
  ANALYST_JSON_SCHEMA,
  parseAnalystVerdict,
  parseReviewVerdict,
  REVIEW_JSON_SCHEMA,
  salvageReviewVeto,
  shrinkOnly,
  VETO_KEPT,
} from './pipeline/verdict-schemas';
export type {
  JsonSchema,
  LanguageModelProvider,
  ProviderId,
  StructuredReply,
  StructuredRequest,
  TokenUsage,
} from './provider';
export { AnthropicProvider, type AnthropicProviderOptions } from './providers/anthropic/anthropic-provider';
export { GeminiProvider, type GeminiProviderOptions } from './providers/gemini/gemini-provider';
export {
  OpenAiCompatibleProvider,
  type OpenAiCompatibleProviderOptions,
} from './providers/openai-compatible/openai-compatible-provider';
export { decisionSummary, vetoSummary } from './reflection/decision-summary';
export { DEFAULT_HINDSIGHT, type HindsightOptions, HindsightTracker } from './reflection/hindsight-tracker';
export { TradeOutcomeTracker, type UntrackedClose } from './reflection/trade-outcome-tracker';
export { backoffDelayMs, DEFAULT_RETRY, type RetryPolicy } from './resilience/backoff';
export {
  type BreakerState,
  CircuitBreaker,
  type CircuitBreakerOptions,
  DEFAULT_BREAKER,
} from './resilience/circuit-breaker';
export {
  type BudgetSpent,
  DailyCostBudget,
  type ModelPrice,
  type PriceTable,
  priceOf,
} from './resilience/cost-budget';
export { rulesAnalyst } from './rules/rules-analyst';
export { RulesProvider } from './rules/rules-provider';
export { rulesReflection } from './rules/rules-reflection';
export { MIN_REWARD_RISK, rulesReviewer } from './rules/rules-reviewer';
