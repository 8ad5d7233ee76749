import { AgentError } from '../agent-error';

/** An HTTP status from any provider as an AgentError: 429 and 5xx retryable, other 4xx rejected. */
export function httpStatusError(
  provider: string,
  status: number,
  retryAfter: number | undefined,
): AgentError {
  if (status === 429) return new AgentError('rate_limited', `${provider} answered 429`, retryAfter);
  if (status >= 500) return new AgentError('server_error', `${provider} answered ${status}`, retryAfter);
  return new AgentError('rejected', `${provider} answered ${status}`);
}
