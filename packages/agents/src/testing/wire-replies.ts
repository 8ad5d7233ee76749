import type { ScriptedReply } from './scripted-server';

/**
 * Replies in the vendors' wire formats, shaped after the SDK types (`Message`, `Usage` in
 * @anthropic-ai/sdk 1.12 resources/messages; `GenerateContentResponse`, `UsageMetadata` in
 * @google/generative-ai 0.24).
 */
export function anthropicToolUse(
  toolName: string,
  input: unknown,
  usage = { input_tokens: 1_000, output_tokens: 200 },
): ScriptedReply {
  return {
    status: 200,
    headers: { 'request-id': 'req_test' },
    body: JSON.stringify({
      id: 'msg_01TestToolUse',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5',
      content: [{ type: 'tool_use', id: 'toolu_01Test', name: toolName, input }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        ...usage,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        service_tier: 'standard',
      },
    }),
  };
}

export function anthropicText(text: string): ScriptedReply {
  return {
    status: 200,
    body: JSON.stringify({
      id: 'msg_01TestText',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-5',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 900, output_tokens: 40 },
    }),
  };
}

export function anthropicError(
  status: number,
  type: string,
  headers: Record<string, string> = {},
): ScriptedReply {
  return {
    status,
    headers,
    body: JSON.stringify({ type: 'error', error: { type, message: `${type} (test)` } }),
  };
}

/** `thoughtsTokenCount` as a thinking model (gemini-2.5-*) reports it: counted in the total, not in the candidates. */
export function geminiJson(
  text: string,
  usage: { promptTokenCount: number; candidatesTokenCount: number; thoughtsTokenCount?: number } = {
    promptTokenCount: 800,
    candidatesTokenCount: 150,
  },
): ScriptedReply {
  const total = usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
  return {
    status: 200,
    body: JSON.stringify({
      candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { ...usage, totalTokenCount: total },
      modelVersion: 'gemini-2.0-flash',
    }),
  };
}

/** `details` as Google sends them (google.rpc.* messages), e.g. a quota 429's RetryInfo. */
export function geminiError(status: number, statusText: string, details?: readonly unknown[]): ScriptedReply {
  const error = { code: status, message: `${statusText} (test)`, status: statusText };
  return { status, body: JSON.stringify({ error: details === undefined ? error : { ...error, details } }) };
}
