import { AgentError } from '../agent-error';

/** What stands for the key in a kept reply: the service logger's mark. */
export const KEY_MASK = '[REDACTED]';

/**
 * The error with every copy of our API key in the reply it keeps for the audit masked. A vendor never
 * sends the key back, but a base URL pointed at the wrong server (an echo service, a misconfigured
 * gateway) answers with the request it was sent, headers and all: a reply we cannot read, whose text
 * the audit would otherwise store. Messages are ours and never hold it (AgentError).
 */
export function keyMasked(error: AgentError, key: string | undefined): AgentError {
  const raw = error.rawResponse;
  if (key === undefined || key === '' || raw === undefined || !raw.includes(key)) return error;
  const { reason, message, retryAfterMs, usage, mayBeBilled } = error;
  return new AgentError(reason, message, retryAfterMs, raw.replaceAll(key, KEY_MASK), usage, mayBeBilled);
}
