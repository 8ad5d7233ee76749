import { AgentError } from '../agent-error';

/** Parses a model's JSON text; a parse failure is a malformed reply that keeps the text for the audit. */
export function parseJson(text: string, provider: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentError('malformed_response', `${provider} reply is not valid JSON`, undefined, text);
  }
}
