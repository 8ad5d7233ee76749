import type { ColumnType } from 'kysely';
import type { Jsonb, Numeric, TimestamptzWithDefault } from '../column-types';

/**
 * One row per agent invocation, for audit: what was asked (full prompt and its hash), what came back
 * (raw text and the parsed verdict actually used), what it cost, and whether the rules fallback decided.
 */
export interface AgentCallsTable {
  id: string;
  agent: string;
  /** The provider that was asked; when `fallback_used`, the verdict came from the rules instead. */
  provider: string;
  model: string;
  prompt: string;
  prompt_sha256: string;
  raw_response: string | null;
  verdict: Jsonb | null;
  latency_ms: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: Numeric;
  /** Of cost_usd, what we counted at a ceiling (ADR 25) for want of reported usage. */
  cost_estimated_usd: ColumnType<string | number, number | undefined, number>;
  correlation_id: string;
  fallback_used: boolean;
  error_reason: string | null;
  created_at: TimestamptzWithDefault;
}

export const tableName = 'agent_calls';

export type PartialDB = { [tableName]: AgentCallsTable };
