import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AgentMetrics {
  readonly calls: Counter<'provider' | 'agent' | 'outcome'>;
  readonly failures: Counter<'provider' | 'agent' | 'reason'>;
  readonly latency: Histogram<'provider' | 'agent'>;
  readonly tokens: Counter<'provider' | 'agent' | 'direction'>;
  readonly costUsd: Counter<'provider' | 'agent'>;
  /** Of costUsd, what was estimated for want of reported usage: at a ceiling (ADR 25), or from the text. */
  readonly estimatedCostUsd: Counter<'provider' | 'agent'>;
  readonly breakerState: Gauge<'provider'>;
}

/** Registers the agent metrics on the service's registry (once per registry). */
export function createAgentMetrics(registry: Registry): AgentMetrics {
  const registers = [registry];
  return {
    calls: new Counter({
      name: 'ballast_agent_calls_total',
      help: 'Agent invocations by outcome: ok (model verdict), fallback (no valid model verdict after a failure or refusal: the fallback verdict, or a veto kept from an invalid reply), rules (rules by configuration)',
      labelNames: ['provider', 'agent', 'outcome'],
      registers,
    }),
    failures: new Counter({
      name: 'ballast_agent_failures_total',
      help: 'Failed provider attempts by reason (AgentErrorReason)',
      labelNames: ['provider', 'agent', 'reason'],
      registers,
    }),
    latency: new Histogram({
      name: 'ballast_agent_latency_seconds',
      help: 'Wall time of one agent invocation including retries',
      labelNames: ['provider', 'agent'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40],
      registers,
    }),
    tokens: new Counter({
      name: 'ballast_agent_tokens_total',
      help: 'Tokens reported by providers, by direction (input, output)',
      labelNames: ['provider', 'agent', 'direction'],
      registers,
    }),
    costUsd: new Counter({
      name: 'ballast_agent_cost_usd_total',
      help: 'Estimated spend from reported tokens and the configured price table, in USD',
      labelNames: ['provider', 'agent'],
      registers,
    }),
    estimatedCostUsd: new Counter({
      name: 'ballast_agent_estimated_cost_usd_total',
      help: 'Of ballast_agent_cost_usd_total, what was estimated for want of reported usage: at its ceiling (the full prompt, every output token allowed) for calls that timed out or were cut off, from the text for replies that reported none, in USD',
      labelNames: ['provider', 'agent'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'ballast_agent_breaker_state',
      help: 'Circuit breaker per provider: 0 closed, 1 half-open, 2 open',
      labelNames: ['provider'],
      registers,
    }),
  };
}

/** What the budget gauges read at each scrape. */
export interface BudgetReading {
  spentTodayUsd(): number;
  readonly limitUsd: number;
}

/**
 * Registers gauges of today's shared agent spend and its daily limit (once per registry), read at scrape
 * time so the spend falls to 0 when the UTC day turns even without a call: an operator sees the spend
 * approach the cap before every agent takes its fallback.
 */
export function createBudgetGauges(registry: Registry, budget: BudgetReading): void {
  const registers = [registry];
  new Gauge({
    name: 'ballast_agent_budget_spent_usd',
    help: 'Estimated agent spend since 00:00 UTC today, counted against AGENT_DAILY_BUDGET_USD, in USD',
    registers,
    collect() {
      this.set(budget.spentTodayUsd());
    },
  });
  new Gauge({
    name: 'ballast_agent_budget_limit_usd',
    help: 'The daily agent budget (AGENT_DAILY_BUDGET_USD) shared by every agent, in USD',
    registers,
    collect() {
      this.set(budget.limitUsd);
    },
  });
}
