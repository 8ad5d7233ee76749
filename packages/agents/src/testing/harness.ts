import type { Clock } from '@ballast/contracts';
import type { AgentCallRecord } from '@ballast/db';
import { createLogger } from '@ballast/service-kit';
import { Registry } from 'prom-client';
import { createAgentMetrics } from '../agent-metrics';
import { AgentRunner } from '../agent-runner';
import type { AuditSink } from '../audit/audit-sink';
import type { LanguageModelProvider } from '../provider';
import { DEFAULT_RETRY, type RetryPolicy } from '../resilience/backoff';
import { CircuitBreaker } from '../resilience/circuit-breaker';
import { DailyCostBudget, type PriceTable } from '../resilience/cost-budget';

export const PRICES: PriceTable = {
  'claude-sonnet-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'gemini-2.0-flash': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'gemini-2.5-pro': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'hosted-compatible': { inputPerMillion: 2, outputPerMillion: 8 },
};

/** Audit rows kept in memory, for tests that are not about the database. */
export class MemoryAudit implements AuditSink {
  readonly rows: AgentCallRecord[] = [];
  async record(call: AgentCallRecord): Promise<void> {
    this.rows.push(call);
  }
}

export interface Harness {
  readonly runner: AgentRunner;
  readonly breaker: CircuitBreaker;
  readonly budget: DailyCostBudget;
  readonly registry: Registry;
  readonly sleeps: number[];
  readonly logLines: string[];
}

let counter = 0;

export function harness(options: {
  provider: LanguageModelProvider | null;
  clock: Clock;
  audit: AuditSink;
  budgetUsd?: number;
  retry?: RetryPolicy;
  timeoutMs?: number;
}): Harness {
  const registry = new Registry();
  const breaker = new CircuitBreaker(options.clock);
  const budget = new DailyCostBudget(options.clock, options.budgetUsd ?? 10, PRICES);
  const sleeps: number[] = [];
  const logLines: string[] = [];
  // The real service logger, without its secret scrubbing: these tests prove we never log the key at all.
  const log = createLogger({
    service: 'agents-test',
    level: 'debug',
    destination: { write: (l) => logLines.push(l) },
  });
  const runner = new AgentRunner({
    provider: options.provider,
    breaker,
    budget,
    retry: options.retry ?? DEFAULT_RETRY,
    timeoutMs: options.timeoutMs ?? 2_000,
    clock: options.clock,
    monotonicMs: () => performance.now(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ids: () => `00000000-0000-7000-8000-${String(++counter).padStart(12, '0')}`,
    audit: options.audit,
    metrics: createAgentMetrics(registry),
    log,
  });
  return { runner, breaker, budget, registry, sleeps, logLines };
}
