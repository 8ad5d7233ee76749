import { AgentError } from '../agent-error';
import type { TokenUsage } from '../provider';

/** A reply that did not end normally, as our reason: the vendors' stop reasons map to these two. */
export type EarlyStop = 'truncated' | 'refused';

/**
 * The error for a reply that did not end normally: a truncated one may hold a verdict cut short that
 * still parses ("approve … but"), a refused one is no verdict. Neither is retried; the vendor billed it.
 */
export function stoppedEarly(
  kind: EarlyStop,
  vendor: string,
  stop: string,
  raw: string,
  usage: TokenUsage,
): AgentError {
  return new AgentError(kind, `${vendor} reply stopped with ${stop}`, undefined, raw, usage);
}
