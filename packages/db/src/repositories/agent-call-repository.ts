import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import type { AgentCallsTable } from '../tables/agent-calls';
import { finite, toNumber } from '../to-number';

/** One audited agent invocation, as written and as read back. */
export interface AgentCallRecord {
  readonly id: string;
  readonly agent: string;
  readonly provider: string;
  readonly model: string;
  readonly prompt: string;
  readonly promptSha256: string;
  readonly rawResponse: string | null;
  /** The parsed verdict that was used (from the model, or from the rules on fallback). */
  readonly verdict: unknown;
  readonly latencyMs: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly costUsd: number;
  /**
   * Of `costUsd`, what was counted at a ceiling rather than billed by reported usage (ADR 25: a call timed
   * out or cut off after its headers): an estimate that errs high. Absent: 0.
   */
  readonly costEstimatedUsd?: number;
  readonly correlationId: string;
  readonly fallbackUsed: boolean;
  readonly errorReason: string | null;
  /** Epoch ms. */
  readonly createdAt: number;
}

const DEFAULT_LIMIT = 500;

/** The agent audit trail: append-only, read by time (the `decisions` command) or by trade. */
export class AgentCallRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(call: AgentCallRecord): Promise<void> {
    await this.db
      .insertInto('agent_calls')
      .values({
        id: call.id,
        agent: call.agent,
        provider: call.provider,
        model: call.model,
        prompt: call.prompt,
        prompt_sha256: call.promptSha256,
        raw_response: call.rawResponse,
        verdict: call.verdict === null ? null : toJsonText(call.verdict, `verdict of agent call ${call.id}`),
        latency_ms: Math.round(finite(call.latencyMs, 'latencyMs')),
        tokens_in: finite(call.tokensIn, 'tokensIn'),
        tokens_out: finite(call.tokensOut, 'tokensOut'),
        cost_usd: finite(call.costUsd, 'costUsd'),
        cost_estimated_usd: finite(call.costEstimatedUsd ?? 0, 'costEstimatedUsd'),
        correlation_id: call.correlationId,
        fallback_used: call.fallbackUsed,
        error_reason: call.errorReason,
        created_at: new Date(finite(call.createdAt, 'createdAt')),
      })
      .execute();
  }

  /** Calls made at or after `sinceMs`, newest first, at most `limit`. */
  async since(sinceMs: number, limit = DEFAULT_LIMIT): Promise<AgentCallRecord[]> {
    const rows = await this.db
      .selectFrom('agent_calls')
      .selectAll()
      .where('created_at', '>=', new Date(sinceMs))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  async byCorrelationId(correlationId: string): Promise<AgentCallRecord[]> {
    const rows = await this.db
      .selectFrom('agent_calls')
      .selectAll()
      .where('correlation_id', '=', correlationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }
}

function fromRow(row: Selectable<AgentCallsTable>): AgentCallRecord {
  return {
    id: row.id,
    agent: row.agent,
    provider: row.provider,
    model: row.model,
    prompt: row.prompt,
    promptSha256: row.prompt_sha256,
    rawResponse: row.raw_response,
    verdict: row.verdict,
    latencyMs: row.latency_ms,
    tokensIn: row.tokens_in,
    tokensOut: row.tokens_out,
    costUsd: toNumber(row.cost_usd),
    costEstimatedUsd: toNumber(row.cost_estimated_usd),
    correlationId: row.correlation_id,
    fallbackUsed: row.fallback_used,
    errorReason: row.error_reason,
    createdAt: row.created_at.getTime(),
  };
}
