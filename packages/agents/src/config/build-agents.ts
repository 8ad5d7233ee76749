import type { Clock, IdGenerator } from '@ballast/contracts';
import type { Registry } from 'prom-client';
import type { AgentLog } from '../agent-log';
import { type AgentMetrics, createAgentMetrics, createBudgetGauges } from '../agent-metrics';
import { type AgentName, AgentRunner, type AuthFailed, type UnusableReplies } from '../agent-runner';
import type { AuditSink } from '../audit/audit-sink';
import type { LessonConfig } from '../pipeline/lessons';
import type { ReviewerFallback } from '../pipeline/settle-review';
import type { LanguageModelProvider } from '../provider';
import { AnthropicProvider } from '../providers/anthropic/anthropic-provider';
import { anthropicEndOfLife } from '../providers/anthropic/deprecated-models';
import { GeminiProvider } from '../providers/gemini/gemini-provider';
import { OpenAiCompatibleProvider } from '../providers/openai-compatible/openai-compatible-provider';
import { AuthRefusal } from '../resilience/auth-refusal';
import type { RetryPolicy } from '../resilience/backoff';
import { type BreakerState, CircuitBreaker } from '../resilience/circuit-breaker';
import { type BudgetSpent, DailyCostBudget } from '../resilience/cost-budget';
import type { AgentsConfig, ProviderChoice } from './agents-config';
import { AgentsConfigError } from './agents-config-error';
import { resolveProviders } from './resolve-providers';
import { unpricedModels } from './unpriced-models';

export interface BuildAgentsDeps {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly audit: AuditSink;
  /** The service's registry; the agent metrics are registered on it once. */
  readonly metrics: Registry;
  readonly log: AgentLog;
  /** Defaults: real timers, performance.now(), Math.random (jitter only). Tests may inject. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly monotonicMs?: () => number;
  readonly random?: () => number;
  /** Told once per change of a vendor's breaker (several agents may share one vendor and notice it). */
  readonly onBreakerState?: (provider: string, state: BreakerState) => void;
  /** Told when an agent's calls ended on unusable replies 5 times in a row (again after a usable one). */
  readonly onUnusableReplies?: (report: UnusableReplies) => void;
  /**
   * Told when a vendor refuses our key (401, 403): once per vendor, whichever agent's call it refused,
   * again only after that vendor has accepted the key in between.
   */
  readonly onAuthFailed?: (report: AuthFailed) => void;
  /** Told once per UTC day, when the shared daily budget first refuses a call. */
  readonly onBudgetSpent?: (spent: BudgetSpent) => void;
  /**
   * Today's spend already recorded (`spentTodayUsd` of the audit, read at start): counted against
   * AGENT_DAILY_BUDGET_USD, so a restart does not open a fresh daily allowance. Default 0.
   */
  readonly spentTodayUsd?: number;
}

export interface AgentChoice {
  readonly provider: string;
  readonly model: string;
}

export interface Agents {
  readonly analyst: AgentRunner;
  readonly reviewer: AgentRunner;
  readonly reflector: AgentRunner;
  readonly lessonConfig: LessonConfig;
  /** REVIEWER_FALLBACK, for decideWithAgents. */
  readonly reviewerFallback: ReviewerFallback;
  /** Which provider and model each agent uses (never a key): what was logged at start. */
  readonly choices: Readonly<Record<AgentName, AgentChoice>>;
}

/**
 * Builds the three agent runners from configuration. Providers, breakers and the budget are shared:
 * one breaker per vendor (an outage is the vendor's, whichever agent notices it) and one daily budget
 * for all. An agent left to its default vendor without that vendor's key runs the rules, warned. Throws
 * AgentsConfigError when a provider chosen explicitly lacks its key or URL, or a paid model some agent
 * would call has no price (its spend would escape the daily budget).
 */
export function buildAgentsFromConfig(config: AgentsConfig, deps: BuildAgentsDeps): Agents {
  const resolved = resolveProviders(config);
  const problems = [...resolved.problems, ...unpricedModels(config, resolved.choices)];
  if (problems.length > 0) throw new AgentsConfigError(problems);
  for (const warning of resolved.warnings) deps.log.warn({ agents: 'unconfigured' }, warning);
  const metrics = createAgentMetrics(deps.metrics);
  const budget = new DailyCostBudget(
    deps.clock,
    config.AGENT_DAILY_BUDGET_USD,
    config.AGENT_PRICES_JSON,
    deps.onBudgetSpent,
  );
  budget.spentEarlierToday(deps.spentTodayUsd ?? 0);
  createBudgetGauges(deps.metrics, budget);
  const providers = new Map<ProviderChoice, LanguageModelProvider | null>();
  const breakers = new Map<ProviderChoice, CircuitBreaker>();
  const authRefusals = new Map<ProviderChoice, AuthRefusal>();
  const told = new Map<string, BreakerState>();
  const onBreakerState = (provider: string, state: BreakerState) => {
    if ((told.get(provider) ?? 'closed') === state) return;
    told.set(provider, state);
    deps.onBreakerState?.(provider, state);
  };
  const runnerFor = (choice: ProviderChoice, agent: AgentName): AgentRunner => {
    const provider = getOrCreate(providers, choice, () =>
      providerFor(choice, config, () => deps.clock.now()),
    );
    if (provider !== null) countsAuthFailures(metrics, provider.id, agent);
    return new AgentRunner({
      provider,
      breaker: getOrCreate(breakers, choice, () => breakerFor(config, deps.clock)),
      authRefusal: getOrCreate(authRefusals, choice, () => new AuthRefusal()),
      budget,
      retry: agentRetryPolicy(config),
      timeoutMs: config.AGENT_TIMEOUT_MS,
      clock: deps.clock,
      monotonicMs: deps.monotonicMs ?? (() => performance.now()),
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: deps.random ?? Math.random,
      ids: deps.ids,
      audit: deps.audit,
      metrics,
      log: deps.log,
      onBreakerState,
      ...(deps.onUnusableReplies === undefined ? {} : { onUnusableReplies: deps.onUnusableReplies }),
      ...(deps.onAuthFailed === undefined ? {} : { onAuthFailed: deps.onAuthFailed }),
    });
  };
  const analyst = runnerFor(resolved.choices.analyst, 'analyst');
  const reviewer = runnerFor(resolved.choices.reviewer, 'reviewer');
  const reflector = runnerFor(resolved.choices.reflector, 'reflector');
  const choices = {
    analyst: choiceOf(providers.get(resolved.choices.analyst) ?? null),
    reviewer: choiceOf(providers.get(resolved.choices.reviewer) ?? null),
    reflector: choiceOf(providers.get(resolved.choices.reflector) ?? null),
  };
  warnDeprecated(Object.values(choices), deps.log);
  deps.log.info(
    {
      ...choices,
      reflection: config.AGENT_REFLECTION,
      reviewerFallback: config.REVIEWER_FALLBACK,
      dailyBudgetUsd: config.AGENT_DAILY_BUDGET_USD,
      spentTodayUsd: budget.spentTodayUsd(),
    },
    'agents configured',
  );
  return {
    analyst,
    reviewer,
    reflector,
    choices,
    reviewerFallback: config.REVIEWER_FALLBACK,
    lessonConfig: {
      enabled: config.AGENT_REFLECTION,
      maxCount: config.AGENT_LESSONS_COUNT,
      maxChars: config.AGENT_LESSONS_CHARS,
    },
  };
}

/**
 * The vendor adapter for a choice, or null (rules) when its key or URL is not configured. `now` (epoch
 * ms) dates an HTTP-date Retry-After; default the system clock.
 */
export function providerFor(
  choice: ProviderChoice,
  config: AgentsConfig,
  now?: () => number,
): LanguageModelProvider | null {
  switch (choice) {
    case 'anthropic':
      return config.ANTHROPIC_API_KEY === undefined
        ? null
        : new AnthropicProvider({
            apiKey: config.ANTHROPIC_API_KEY,
            model: config.ANTHROPIC_MODEL,
            baseURL: config.ANTHROPIC_BASE_URL,
            now,
          });
    case 'gemini':
      return config.GEMINI_API_KEY === undefined
        ? null
        : new GeminiProvider({
            apiKey: config.GEMINI_API_KEY,
            model: config.GEMINI_MODEL,
            baseUrl: config.GEMINI_BASE_URL,
          });
    case 'openai-compatible':
      return config.OPENAI_COMPAT_URL === undefined
        ? null
        : new OpenAiCompatibleProvider({
            baseUrl: config.OPENAI_COMPAT_URL,
            model: config.OPENAI_COMPAT_MODEL,
            apiKey: config.OPENAI_COMPAT_API_KEY,
            now,
          });
    case 'rules':
      return null;
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  if (!map.has(key)) map.set(key, make());
  return map.get(key) as V;
}

/**
 * Starts an agent's auth_failed count and estimated cost at 0: a counter series born at 1 hides its first increase from
 * PromQL's increase(), and a refused key may fail only one call before the breaker opens.
 */
function countsAuthFailures(metrics: AgentMetrics, provider: string, agent: AgentName): void {
  metrics.failures.inc({ provider, agent, reason: 'auth_failed' }, 0);
  // Likewise the estimated cost: the first call to time out would not show in increase().
  metrics.estimatedCostUsd.inc({ provider, agent }, 0);
}

function breakerFor(config: AgentsConfig, clock: Clock): CircuitBreaker {
  return new CircuitBreaker(clock, {
    failureThreshold: config.AGENT_BREAKER_FAILURES,
    openMs: config.AGENT_BREAKER_OPEN_MS,
  });
}

/** Once per deprecated model in use: calls to it fail once it is retired, on a date already known. */
function warnDeprecated(choices: readonly AgentChoice[], log: AgentLog): void {
  const models = new Set(choices.filter((c) => c.provider === 'anthropic').map((c) => c.model));
  for (const model of models) {
    const endOfLife = anthropicEndOfLife(model);
    if (endOfLife === undefined) continue;
    log.warn(
      { provider: 'anthropic', model, endOfLife },
      `ANTHROPIC_MODEL ${model} is deprecated and reaches end-of-life on ${endOfLife}: its calls will fail then; choose a current model`,
    );
  }
}

function choiceOf(provider: LanguageModelProvider | null): AgentChoice {
  return provider === null
    ? { provider: 'rules', model: 'rules' }
    : { provider: provider.id, model: provider.model };
}

/** How each agent call retries: AGENT_MAX_ATTEMPTS, backing off from 0.5 s to at most 8 s between attempts. */
export function agentRetryPolicy(config: Pick<AgentsConfig, 'AGENT_MAX_ATTEMPTS'>): RetryPolicy {
  return { maxAttempts: config.AGENT_MAX_ATTEMPTS, baseDelayMs: 500, maxDelayMs: 8_000 };
}

/** The longest one agent's verdict can take: every attempt timing out, each wait between them at its cap. */
export function worstAgentCallMs(
  config: Pick<AgentsConfig, 'AGENT_MAX_ATTEMPTS' | 'AGENT_TIMEOUT_MS'>,
): number {
  const retry = agentRetryPolicy(config);
  return config.AGENT_TIMEOUT_MS * retry.maxAttempts + retry.maxDelayMs * (retry.maxAttempts - 1);
}
