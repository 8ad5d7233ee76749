import { AgentError } from '../agent-error';
import type { TokenUsage } from '../provider';

/**
 * Parses a model's JSON text; a parse failure is a malformed reply that keeps the text for the audit
 * and the usage the vendor billed for it.
 */
export function parseJson(text: string, provider: string, usage: TokenUsage): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentError('malformed_response', `${provider} reply is not valid JSON`, undefined, text, usage);
  }
}
