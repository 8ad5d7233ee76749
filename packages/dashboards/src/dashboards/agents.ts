import type { DashboardSpec } from '../dashboard-spec';
import { BREAKER, SWITCHED } from '../mappings';

export const agents: DashboardSpec = {
  uid: 'ballast-agents',
  title: 'Ballast / Agents',
  description:
    'Signals and its LLM agents: candidates and strategy switches, then calls, failures, latency, tokens, cost, daily budget and circuit breakers.',
  panels: [
    {
      title: 'Calls by outcome (1 h)',
      kind: 'timeseries',
      description: 'ok: model verdict; fallback: rules after a failure; rules: rules by configuration.',
      queries: [
        {
          expr: 'sum by (provider, agent, outcome) (increase(ballast_agent_calls_total[1h]))',
          legend: '{{provider}} {{agent}} {{outcome}}',
        },
      ],
    },
    {
      title: 'Failures by reason (1 h)',
      kind: 'timeseries',
      description: 'Failed provider attempts by reason.',
      queries: [
        {
          expr: 'sum by (provider, reason) (increase(ballast_agent_failures_total[1h]))',
          legend: '{{provider}} {{reason}}',
        },
      ],
    },
    {
      title: 'Latency p95',
      kind: 'timeseries',
      unit: 's',
      description: 'Wall time of one agent invocation, retries included.',
      queries: [{ expr: 'ballast:agent_latency_seconds:p95_5m', legend: '{{provider}} {{agent}}' }],
    },
    {
      title: 'Tokens (1 h)',
      kind: 'timeseries',
      description: 'Tokens reported by providers, input and output.',
      queries: [
        {
          expr: 'sum by (provider, direction) (increase(ballast_agent_tokens_total[1h]))',
          legend: '{{provider}} {{direction}}',
        },
      ],
    },
    {
      title: 'Cost today (USD)',
      kind: 'stat',
      unit: 'currencyUSD',
      description: 'Estimated spend over the last 24 hours from reported tokens and the price table.',
      queries: [{ expr: 'ballast:agent_cost_usd:increase1d', legend: '{{provider}}' }],
    },
    {
      title: 'Estimated cost today (USD)',
      kind: 'stat',
      unit: 'currencyUSD',
      description:
        'Of the cost today, what was counted at its ceiling (ADR 25) for calls that timed out or were cut off and reported no usage: an estimate that errs high, not what the vendor billed.',
      queries: [
        {
          expr: 'sum by (provider) (increase(ballast_agent_estimated_cost_usd_total[1d]))',
          legend: '{{provider}}',
        },
      ],
    },
    {
      title: 'Daily budget (USD)',
      kind: 'stat',
      unit: 'currencyUSD',
      description:
        'Spend since 00:00 UTC against AGENT_DAILY_BUDGET_USD: once spent, every agent takes its fallback until the next UTC day.',
      queries: [
        { expr: 'max by (service) (ballast_agent_budget_spent_usd)', legend: 'spent today' },
        { expr: 'max by (service) (ballast_agent_budget_limit_usd)', legend: 'limit' },
      ],
    },
    {
      title: 'Breaker state',
      kind: 'stat',
      description: 'Circuit breaker per provider: closed, half-open or open (agents use the rules).',
      queries: [{ expr: 'ballast_agent_breaker_state', legend: '{{provider}}' }],
      mappings: BREAKER,
    },
    {
      title: 'Candidates by outcome (1 h)',
      kind: 'timeseries',
      description:
        'Candidates signals published, by strategy: passed (sent to the agents) or the veto that stopped it.',
      queries: [
        {
          expr: 'sum by (strategy, outcome) (increase(ballast_signals_candidates_total[1h]))',
          legend: '{{strategy}} {{outcome}}',
        },
      ],
    },
    {
      title: 'Strategies switched on',
      kind: 'stat',
      width: 12,
      description: 'Whether each strategy proposes candidates, as the operator switched it in the gateway.',
      queries: [{ expr: 'ballast_signals_strategy_enabled', legend: '{{strategy}}' }],
      mappings: SWITCHED,
    },
    {
      title: 'Strategy switches (1 h)',
      kind: 'timeseries',
      description:
        'Passing candidates not approved because their strategy was switched off after proposing, and reads of the stored switches (applied, or invalid and refused).',
      queries: [
        {
          expr: 'sum by (strategy) (increase(ballast_signals_switched_off_total[1h]))',
          legend: '{{strategy}} switched off after proposing',
        },
        {
          expr: 'sum by (outcome) (increase(ballast_signals_strategy_switch_loads_total[1h]))',
          legend: 'switches read {{outcome}}',
        },
      ],
    },
    {
      title: 'Reflections (1 h)',
      kind: 'timeseries',
      description:
        'Lessons written from closed positions and rejected candidates, by kind and outcome (written, failed, dropped, queue_full, stopped, or why a close was untracked); and how many wait for the reflector.',
      queries: [
        {
          expr: 'sum by (kind, outcome) (increase(ballast_signals_reflections_total[1h]))',
          legend: '{{kind}} {{outcome}}',
        },
        { expr: 'sum(ballast_signals_reflections_queued)', legend: 'waiting' },
      ],
    },
    {
      title: 'Hour table re-reads (1 h)',
      kind: 'stat',
      description: 'Re-reads of the hour expectancy table (the hour veto), one per closed position.',
      queries: [{ expr: 'sum(increase(ballast_signals_hour_stats_refreshes_total[1h]))' }],
    },
  ],
};
