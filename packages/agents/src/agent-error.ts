import type { TokenUsage } from './provider';

/**
 * Why an agent call did not produce a verdict, as one closed set:
 * - `rate_limited`: the provider answered 429 (retried with backoff)
 * - `server_error`: the provider answered 5xx or 529 overloaded (retried with backoff)
 * - `timeout`: no answer within the per-call timeout (retried with backoff)
 * - `network`: the connection failed before an HTTP status (retried with backoff)
 * - `auth_failed`: the provider refused our credentials (401, 403; Gemini's 400 API_KEY_INVALID): a bad,
 *   revoked or misplaced key, which no retry heals; the operator must fix the key
 * - `rejected`: the provider refused the request (another 4xx than 429 and the above: a bad request)
 * - `malformed_response`: the reply was not the expected shape or not JSON
 * - `invalid_reply`: the reply was JSON but failed the verdict schema
 * - `truncated`: the reply stopped at the output-token cap (or the context window), or never said it
 *   ended (a Gemini candidate without finishReason; an OpenAI-compatible choice without finish_reason
 *   unless it holds one whole JSON object under the cap): whatever verdict it carries may be cut short,
 *   so it is not used
 * - `refused`: the vendor stopped the reply as a refusal or a safety block
 * - `circuit_open`: the provider's breaker is open; no request was sent
 * - `budget_exceeded`: today's cost budget is spent; no request was sent
 */
export type AgentErrorReason =
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'auth_failed'
  | 'rejected'
  | 'malformed_response'
  | 'invalid_reply'
  | 'truncated'
  | 'refused'
  | 'circuit_open'
  | 'budget_exceeded';

/**
 * The vendor answered, but not with a verdict we can read: the reply may have said no in other words
 * (or before it was cut off, or by refusing), so a reviewer failing this way rejects whatever
 * REVIEWER_FALLBACK says (the rules stand in only for a model that could not be asked or did not
 * answer), and the vendor's breaker does not count it: the vendor is up.
 */
export const ANSWERED_REASONS: ReadonlySet<AgentErrorReason> = new Set([
  'malformed_response',
  'invalid_reply',
  'truncated',
  'refused',
]);

/**
 * Whether the vendor answered a reply we could not use: one of ANSWERED_REASONS, or a reply it was
 * sending, and bills, whose connection dropped (mayBeBilled: a 200 cut off after its headers, a
 * connection closed once the request was out). Such a reply may have said no, so a reviewer failing this
 * way rejects under either REVIEWER_FALLBACK (ADR 15); the reason stays `network`, which is retried and
 * counted by the breaker, as the dropped connection is.
 */
export function answeredUnusably(error: AgentError): boolean {
  return ANSWERED_REASONS.has(error.reason) || error.mayBeBilled;
}

/** Reasons worth another attempt: the same request may succeed a moment later. */
export const RETRYABLE_REASONS: ReadonlySet<AgentErrorReason> = new Set([
  'rate_limited',
  'server_error',
  'timeout',
  'network',
]);

/**
 * Messages are built by this package from status codes and reasons, never copied from a provider's
 * request, so they cannot carry the API key.
 */
export class AgentError extends Error {
  override readonly name = 'AgentError';

  constructor(
    readonly reason: AgentErrorReason,
    message: string,
    /** Server-requested wait before retrying (Retry-After), in ms. */
    readonly retryAfterMs: number | undefined = undefined,
    /** The raw reply text when one arrived (malformed or invalid replies), for the audit. */
    readonly rawResponse: string | undefined = undefined,
    /** The tokens the vendor billed for a reply it answered that we could not read: still spent. */
    readonly usage: TokenUsage | undefined = undefined,
    /**
     * The vendor had the request and began its reply, which was lost (the connection dropped mid-body):
     * billed, though no usage came, like a call we stopped waiting for.
     */
    readonly mayBeBilled = false,
  ) {
    super(message);
  }
}
