import { AgentError } from '../agent-error';

/** Statuses that refuse our credentials (bad or revoked key, a key without access to the model or project). */
const AUTH_STATUSES: ReadonlySet<number> = new Set([401, 403]);

/**
 * An HTTP status from any provider as an AgentError: 429 and 5xx retryable, 401 and 403 auth_failed, other
 * 4xx rejected.
 */
export function httpStatusError(
  provider: string,
  status: number,
  retryAfter: number | undefined,
): AgentError {
  if (status === 429) return new AgentError('rate_limited', `${provider} answered 429`, retryAfter);
  if (status >= 500) return new AgentError('server_error', `${provider} answered ${status}`, retryAfter);
  if (AUTH_STATUSES.has(status)) return new AgentError('auth_failed', `${provider} answered ${status}`);
  return new AgentError('rejected', `${provider} answered ${status}`);
}
