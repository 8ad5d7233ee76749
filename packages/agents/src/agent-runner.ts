import type { Clock, IdGenerator } from '@ballast/contracts';
import {
  AgentError,
  type AgentErrorReason,
  ANSWERED_REASONS,
  answeredUnusably,
  RETRYABLE_REASONS,
} from './agent-error';
import type { AgentLog } from './agent-log';
import type { AgentMetrics } from './agent-metrics';
import type { AuditSink } from './audit/audit-sink';
import { promptSha256 } from './audit/prompt-hash';
import type { JsonSchema, LanguageModelProvider, StructuredReply, TokenUsage } from './provider';
import { keyVariable } from './providers/key-variable';
import { storableText } from './providers/storable-text';
import { AuthRefusal } from './resilience/auth-refusal';
import { backoffDelayMs, type RetryPolicy } from './resilience/backoff';
import { type BreakerState, breakerGaugeValue, type CircuitBreaker } from './resilience/circuit-breaker';
import type { DailyCostBudget } from './resilience/cost-budget';
import { timedOutUsage, unreportedUsage } from './resilience/timed-out-usage';
import { UnusableStreak } from './resilience/unusable-streak';

export type AgentName = 'analyst' | 'reviewer' | 'reflector';

/** Failures of ours that sent no request. */
const UNSENT_REASONS: ReadonlySet<AgentErrorReason> = new Set(['circuit_open', 'budget_exceeded']);

/** One piece of judgement to ask for: the prompt, how to read the reply, and the rules answer. */
export interface AgentTask<T> {
  readonly agent: AgentName;
  readonly correlationId: string;
  readonly system: string;
  readonly prompt: string;
  readonly schemaName: string;
  /** Sent to the model to constrain its reply. */
  readonly schema: JsonSchema;
  readonly maxOutputTokens: number;
  /** Validates (and where documented, clamps) the reply; throwing makes the call an `invalid_reply`. */
  readonly parse: (value: unknown) => T;
  /**
   * What may still be kept of a reply `parse` refused (a reviewer's veto is safe to honour however it
   * is worded); undefined: nothing. A kept verdict is audited as a fallback with `invalid_reply`.
   */
  readonly salvage?: (value: unknown) => T | undefined;
  /**
   * The verdict used when no model answers validly: `failure` is why the model gave none, null when no
   * model is configured (rules only); `answered` whether the vendor answered a reply we could not use
   * (answeredUnusably).
   */
  readonly fallback: (failure: AgentErrorReason | null, answered: boolean) => T;
}

export interface AgentResult<T> {
  readonly verdict: T;
  /** The provider asked, or `rules` when none is configured. */
  readonly provider: string;
  readonly model: string;
  readonly fallbackUsed: boolean;
  readonly errorReason: AgentErrorReason | null;
  /** Whether that error was a reply the vendor answered and we could not use (answeredUnusably). */
  readonly errorAnswered: boolean;
  /** The audit row's id; null only when writing the audit failed (logged and counted). */
  readonly auditId: string | null;
}

/** A verdict whose audit row is being written; `audited` resolves once it is (never rejects). */
export interface PendingResult<T> {
  readonly verdict: T;
  readonly audited: Promise<AgentResult<T>>;
}

export interface AgentRunnerDeps {
  /** null: rules only (no API key configured). */
  readonly provider: LanguageModelProvider | null;
  readonly breaker: CircuitBreaker;
  readonly budget: DailyCostBudget;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** Monotonic milliseconds, for latency. */
  readonly monotonicMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** [0, 1), for backoff jitter. */
  readonly random: () => number;
  readonly ids: IdGenerator;
  readonly audit: AuditSink;
  readonly metrics: AgentMetrics;
  readonly log: AgentLog;
  /** Told whenever this runner sees its provider's breaker in another state than it last saw. */
  readonly onBreakerState?: (provider: string, state: BreakerState) => void;
  /** Told once when `unusableAfter` calls in a row (default 5) ended on replies we could not use. */
  readonly onUnusableReplies?: (report: UnusableReplies) => void;
  readonly unusableAfter?: number;
  /** Whether the vendor is refusing our key, shared by the agents asking it; default this runner's own. */
  readonly authRefusal?: AuthRefusal;
  /** Told when the vendor refuses our key (401, 403): once, until it accepts the key again. */
  readonly onAuthFailed?: (report: AuthFailed) => void;
}

/** A vendor refusing our API key: every call to it fails until the key is fixed, so retrying is pointless. */
export interface AuthFailed {
  /** The agent whose call was refused first. */
  readonly agent: AgentName;
  readonly provider: string;
  /** The variable to fix (never its value); null for a provider this package does not know. */
  readonly variable: string | null;
  /** What the vendor answered, in our words (`anthropic answered 401`): never its text, never the key. */
  readonly detail: string;
}

/** An agent whose model keeps answering unusably (not JSON, off the schema, cut off, refused). */
export interface UnusableReplies {
  readonly agent: AgentName;
  readonly provider: string;
  /** Calls in a row that ended so. */
  readonly count: number;
  /** The last one's reason. */
  readonly reason: AgentErrorReason;
}

interface Attempts<T = unknown> {
  usage: TokenUsage;
  costUsd: number;
  /** Of costUsd, what was estimated for want of reported usage (at a ceiling, or from the text). */
  costEstimatedUsd: number;
  raw: string | null;
  error: AgentError | null;
  /** Whether any attempt was a reply the vendor answered and we could not use (answeredUnusably). */
  answered: boolean;
  /** What `salvage` kept of the last reply `parse` refused. */
  salvaged?: T | undefined;
}

/**
 * Asks one provider for one verdict under the full policy: budget, breaker, per-call timeout, retries
 * with backoff on retryable failures, zod validation, and the task's fallback. Every invocation writes
 * exactly one audit row, whatever happened.
 */
export class AgentRunner {
  private lastBreakerState: BreakerState = 'closed';
  private readonly unusable: UnusableStreak;
  private readonly authRefusal: AuthRefusal;

  constructor(private readonly deps: AgentRunnerDeps) {
    this.unusable = new UnusableStreak(deps.unusableAfter ?? 5);
    this.authRefusal = deps.authRefusal ?? new AuthRefusal();
  }

  get providerLabel(): string {
    return this.deps.provider?.id ?? 'rules';
  }

  async run<T>(task: AgentTask<T>): Promise<AgentResult<T>> {
    return (await this.start(task)).audited;
  }

  /**
   * The verdict as soon as it is known, with its audit row still being written: a caller can go on
   * (ask the next agent) meanwhile and reads the full result, audit id included, from `audited`, which
   * never rejects (a failed write is logged, counted and reported as a null audit id).
   */
  async start<T>(task: AgentTask<T>): Promise<PendingResult<T>> {
    const started = this.deps.monotonicMs();
    const provider = this.deps.provider;
    const attempts: Attempts<T> = {
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0,
      costEstimatedUsd: 0,
      raw: null,
      error: null,
      answered: false,
    };
    let verdict: T | undefined;
    if (provider !== null) verdict = await this.askModel(provider, task, attempts);
    const fallbackUsed = provider !== null && verdict === undefined;
    // Any attempt's: a reply lost after it was given may have said no, whatever the retries met after it.
    const answered = attempts.answered;
    const result = verdict ?? attempts.salvaged ?? task.fallback(attempts.error?.reason ?? null, answered);
    const latencyMs = this.deps.monotonicMs() - started;
    const outcome = provider === null ? 'rules' : fallbackUsed ? 'fallback' : 'ok';
    const labels = { provider: this.providerLabel, agent: task.agent };
    this.deps.metrics.calls.inc({ ...labels, outcome });
    if (provider !== null) this.noteUsability(task.agent, fallbackUsed ? attempts.error : null);
    this.deps.metrics.latency.observe(labels, latencyMs / 1000);
    const known = {
      verdict: result,
      provider: this.providerLabel,
      model: provider?.model ?? 'rules',
      fallbackUsed,
      errorReason: attempts.error?.reason ?? null,
      errorAnswered: answered,
    };
    const writing = this.audit(task, result, attempts, { latencyMs, fallbackUsed });
    return { verdict: result, audited: writing.then((auditId) => ({ ...known, auditId })) };
  }

  private async askModel<T>(
    provider: LanguageModelProvider,
    task: AgentTask<T>,
    attempts: Attempts<T>,
  ): Promise<T | undefined> {
    for (let attempt = 1; attempt <= this.deps.retry.maxAttempts; attempt++) {
      const refusal = this.refusal();
      if (refusal !== undefined) {
        this.fail(task, attempts, refusal, attempt);
        return undefined;
      }
      try {
        const verdict = await this.attempt(provider, task, attempts);
        // The verdict is the model's: an earlier attempt's failure is no longer why anything happened.
        attempts.error = null;
        this.deps.breaker.onSuccess();
        this.authRefusal.accepted();
        this.publishBreaker();
        return verdict;
      } catch (err) {
        const error = err instanceof AgentError ? err : new AgentError('network', 'provider call failed');
        // The breaker watches the vendor: a reply it delivered that we cannot use says it is up, and must
        // not open the breaker every agent on that vendor shares.
        if (ANSWERED_REASONS.has(error.reason)) {
          this.deps.breaker.onSuccess();
          this.authRefusal.accepted();
        } else this.deps.breaker.onFailure();
        this.publishBreaker();
        this.fail(task, attempts, error, attempt);
        if (error.reason === 'auth_failed') this.noteAuthFailed(task.agent, error);
        if (!this.worthRetrying(error, attempt)) return undefined;
        await this.deps.sleep(backoffDelayMs(this.deps.retry, attempt, this.deps.random, error.retryAfterMs));
      }
    }
    return undefined;
  }

  /**
   * A retryable failure with attempts left, unless the server asked for a longer wait than we would
   * sleep: retrying sooner would only meet another 429 (and count another breaker failure).
   */
  private worthRetrying(error: AgentError, attempt: number): boolean {
    if (!RETRYABLE_REASONS.has(error.reason) || attempt === this.deps.retry.maxAttempts) return false;
    return (error.retryAfterMs ?? 0) <= this.deps.retry.maxDelayMs;
  }

  /** Why no request may be sent now, if any: the budget is checked first so it costs no probe. */
  private refusal(): AgentError | undefined {
    if (!this.deps.budget.allows()) return new AgentError('budget_exceeded', 'daily agent cost budget spent');
    const admitted = this.deps.breaker.tryAcquire();
    this.publishBreaker();
    if (!admitted) return new AgentError('circuit_open', `${this.providerLabel} circuit breaker is open`);
    return undefined;
  }

  private async attempt<T>(
    provider: LanguageModelProvider,
    task: AgentTask<T>,
    attempts: Attempts<T>,
  ): Promise<T> {
    let reply: StructuredReply;
    try {
      reply = await provider.generate({
        system: task.system,
        prompt: task.prompt,
        schemaName: task.schemaName,
        schema: task.schema,
        maxOutputTokens: task.maxOutputTokens,
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
    } catch (err) {
      // A reply the vendor answered but we could not read was billed all the same.
      if (err instanceof AgentError && err.usage !== undefined)
        this.account(provider, task, attempts, err.usage, err.rawResponse ?? '');
      else if (err instanceof AgentError && (err.reason === 'timeout' || err.mayBeBilled))
        this.chargeTimedOut(provider, task, attempts);
      throw err;
    }
    attempts.raw = storableText(reply.raw);
    this.account(provider, task, attempts, reply.usage, reply.raw);
    const value = storableText(reply.value);
    try {
      return task.parse(value);
    } catch {
      attempts.salvaged = task.salvage?.(value);
      throw new AgentError('invalid_reply', `${provider.id} reply failed the ${task.schemaName} schema`);
    }
  }

  private account(
    provider: LanguageModelProvider,
    task: AgentTask<unknown>,
    attempts: Attempts,
    usage: TokenUsage,
    replyText: string,
  ): void {
    // A reply without usage was billed all the same: estimated from the prompt and the text, said so.
    if (usage.unreported) {
      const maxOutput = task.maxOutputTokens;
      const hidden = (provider.maxBilledOutputTokens?.(maxOutput) ?? maxOutput) - maxOutput;
      this.chargeEstimate(provider, task, attempts, unreportedUsage(fullPrompt(task), replyText, hidden));
      return;
    }
    const cost = this.deps.budget.costOf(provider.model, usage);
    this.deps.budget.spend(cost);
    attempts.costUsd += cost;
    attempts.usage = {
      inputTokens: attempts.usage.inputTokens + usage.inputTokens,
      outputTokens: attempts.usage.outputTokens + usage.outputTokens,
    };
    const labels = { provider: provider.id, agent: task.agent };
    this.deps.metrics.tokens.inc({ ...labels, direction: 'input' }, usage.inputTokens);
    this.deps.metrics.tokens.inc({ ...labels, direction: 'output' }, usage.outputTokens);
    this.deps.metrics.costUsd.inc(labels, cost);
  }

  /**
   * A call that timed out was sent, and its reply is billed when it is generated whether we wait for it
   * or not: its cost counts at its ceiling (timedOutUsage) against the budget, in the audit row and the
   * cost metric, or a vendor slower than AGENT_TIMEOUT_MS spends without limit. So does a reply whose
   * connection dropped after its headers (mayBeBilled). Its tokens are not counted: nobody reported any.
   * The ceiling is every output token the vendor may bill (Gemini's thinking budget included). It is an
   * estimate, and said so: apart in the audit row (costEstimatedUsd) and its own metric.
   */
  private chargeTimedOut(
    provider: LanguageModelProvider,
    task: AgentTask<unknown>,
    attempts: Attempts,
  ): void {
    const maxOutput = provider.maxBilledOutputTokens?.(task.maxOutputTokens) ?? task.maxOutputTokens;
    this.chargeEstimate(provider, task, attempts, timedOutUsage(fullPrompt(task), maxOutput));
  }

  /** Counts an estimated usage's cost against the budget, in the audit row and the metrics, as estimated. */
  private chargeEstimate(
    provider: LanguageModelProvider,
    task: AgentTask<unknown>,
    attempts: Attempts,
    usage: TokenUsage,
  ): void {
    const cost = this.deps.budget.costOf(provider.model, usage);
    this.deps.budget.spend(cost);
    attempts.costUsd += cost;
    attempts.costEstimatedUsd += cost;
    const labels = { provider: provider.id, agent: task.agent };
    this.deps.metrics.costUsd.inc(labels, cost);
    this.deps.metrics.estimatedCostUsd.inc(labels, cost);
  }

  private fail(task: AgentTask<unknown>, attempts: Attempts, error: AgentError, attempt: number): void {
    // A refusal to send (breaker just reopened, budget spent) does not hide the vendor's failure before it.
    if (attempts.error === null || !UNSENT_REASONS.has(error.reason)) attempts.error = error;
    if (answeredUnusably(error)) attempts.answered = true;
    if (error.rawResponse !== undefined) attempts.raw = storableText(error.rawResponse);
    this.deps.metrics.failures.inc({ provider: this.providerLabel, agent: task.agent, reason: error.reason });
    this.deps.log.warn(
      {
        agent: task.agent,
        provider: this.providerLabel,
        reason: error.reason,
        attempt,
        correlationId: task.correlationId,
      },
      error.message,
    );
  }

  private noteUsability(agent: AgentName, failure: AgentError | null): void {
    const count = this.unusable.record(failure?.reason ?? null);
    if (count === undefined || failure === null) return;
    this.deps.onUnusableReplies?.({ agent, provider: this.providerLabel, count, reason: failure.reason });
  }

  /**
   * A refused key fails every call until someone fixes it: said at once, loudly and once per vendor (not
   * per call, nor after the breaker has turned the next ones into circuit_open).
   */
  private noteAuthFailed(agent: AgentName, error: AgentError): void {
    if (!this.authRefusal.refused()) return;
    const provider = this.providerLabel;
    const variable = keyVariable(provider);
    this.deps.log.error(
      { agent, provider, reason: error.reason, variable },
      `${error.message}: ${provider} refused our API key; retrying will not help: fix ${variable ?? 'the key'} and restart`,
    );
    this.deps.onAuthFailed?.({ agent, provider, variable, detail: error.message });
  }

  private publishBreaker(): void {
    const state = this.deps.breaker.state();
    this.deps.metrics.breakerState.set({ provider: this.providerLabel }, breakerGaugeValue(state));
    if (state === this.lastBreakerState) return;
    this.lastBreakerState = state;
    this.deps.onBreakerState?.(this.providerLabel, state);
  }

  private async audit<T>(
    task: AgentTask<T>,
    verdict: T,
    attempts: Attempts,
    facts: { latencyMs: number; fallbackUsed: boolean },
  ): Promise<string | null> {
    const id = this.deps.ids();
    const prompt = fullPrompt(task);
    try {
      await this.deps.audit.record({
        id,
        agent: task.agent,
        provider: this.providerLabel,
        model: this.deps.provider?.model ?? 'rules',
        prompt,
        promptSha256: promptSha256(prompt),
        rawResponse: attempts.raw,
        verdict,
        latencyMs: facts.latencyMs,
        tokensIn: attempts.usage.inputTokens,
        tokensOut: attempts.usage.outputTokens,
        costUsd: attempts.costUsd,
        costEstimatedUsd: attempts.costEstimatedUsd,
        correlationId: task.correlationId,
        fallbackUsed: facts.fallbackUsed,
        errorReason: attempts.error?.reason ?? null,
        createdAt: this.deps.clock.now(),
      });
      return id;
    } catch (err) {
      this.deps.metrics.failures.inc({
        provider: this.providerLabel,
        agent: task.agent,
        reason: 'audit_failed',
      });
      this.deps.log.error(
        {
          agent: task.agent,
          correlationId: task.correlationId,
          why: err instanceof Error ? err.name : 'unknown',
        },
        'agent call could not be audited',
      );
      return null;
    }
  }
}

/** What the model was shown, as one text: the audited prompt and the input of its hash. */
export function fullPrompt(task: Pick<AgentTask<unknown>, 'system' | 'prompt'>): string {
  return `${task.system}\n\n${task.prompt}`;
}
