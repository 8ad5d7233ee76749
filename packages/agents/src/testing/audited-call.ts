import type { AgentCallRecord } from '@ballast/db';

/** An audit row of a reviewer call made before the test's process started: only its time and cost matter. */
export function auditedCall(id: string, createdAt: number, costUsd: number): AgentCallRecord {
  return {
    id,
    agent: 'reviewer',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    prompt: 'earlier',
    promptSha256: 'earlier',
    rawResponse: null,
    verdict: null,
    latencyMs: 1,
    tokensIn: 1,
    tokensOut: 1,
    costUsd,
    correlationId: `corr-earlier-${id}`,
    fallbackUsed: false,
    errorReason: null,
    createdAt,
  };
}
