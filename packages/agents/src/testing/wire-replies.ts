import type { ScriptedReply } from './scripted-server';

/**
 * Replies in the vendors' wire formats, shaped after the SDK types (`Message`, `Usage` in
 * @anthropic-ai/sdk 1.12 resources/messages; `GenerateContentResponse`, `UsageMetadata` in
 * @google/generative-ai 0.24).
 */
export function anthropicToolUse(
  toolName: string,
  input: unknown,
  usage: AnthropicUsage = { input_tokens: 1_000, output_tokens: 200 },
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
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        service_tier: 'standard',
        ...usage,
      },
    }),
  };
}

/** The Messages API's `usage`: the cache fields are 0 unless given. */
export interface AnthropicUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number;
  readonly cache_read_input_tokens?: number;
  readonly cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/**
 * One reply calling the tool once per input, as the Messages API may when parallel tool use is left on
 * (`tool_choice` without `disable_parallel_tool_use`), or a proxy that ignores that flag.
 */
export function anthropicToolUses(toolName: string, inputs: readonly unknown[]): ScriptedReply {
  const reply = anthropicToolUse(toolName, null) as { status: number; body: string };
  const content = inputs.map((input, i) => ({
    type: 'tool_use',
    id: `toolu_0${i}Test`,
    name: toolName,
    input,
  }));
  return { ...reply, body: JSON.stringify({ ...JSON.parse(reply.body), content }) };
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

/**
 * Anthropic refusing the key, as its API sends it (docs.anthropic.com/en/api/errors): 401
 * `authentication_error` for a bad or revoked key, 403 `permission_error` for one without access.
 */
export function anthropicAuthError(status: 401 | 403): ScriptedReply {
  const error =
    status === 401
      ? { type: 'authentication_error', message: 'invalid x-api-key' }
      : {
          type: 'permission_error',
          message: 'Your API key does not have permission to use the specified resource.',
        };
  return {
    status,
    headers: { 'request-id': 'req_011CTestAuth' },
    body: JSON.stringify({ type: 'error', error, request_id: 'req_011CTestAuth' }),
  };
}

/**
 * Google refusing the key, as the Gemini API sends it: `key_invalid` is its answer to a bad, deleted or
 * expired key (400 INVALID_ARGUMENT with ErrorInfo API_KEY_INVALID, as quoted in google-gemini/gemini-cli
 * issues 4690 and 3008), 401 UNAUTHENTICATED a request without valid credentials, 403 PERMISSION_DENIED a
 * key whose project may not call the API (disabled, or blocked for the key).
 */
export function geminiAuthError(kind: 'key_invalid' | 401 | 403): ScriptedReply {
  const errorInfo = (reason: string) => ({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  });
  const error =
    kind === 'key_invalid'
      ? {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [
            errorInfo('API_KEY_INVALID'),
            {
              '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
              locale: 'en-US',
              message: 'API key not valid. Please pass a valid API key.',
            },
          ],
        }
      : kind === 401
        ? {
            code: 401,
            message:
              'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
            status: 'UNAUTHENTICATED',
            details: [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED')],
          }
        : {
            code: 403,
            message:
              'Generative Language API has not been used in project 123456789012 before or it is disabled.',
            status: 'PERMISSION_DENIED',
            details: [errorInfo('SERVICE_DISABLED')],
          };
  return { status: error.code, body: JSON.stringify({ error }) };
}
