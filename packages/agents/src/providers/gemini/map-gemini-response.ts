import type { GenerateContentResponse } from '@google/generative-ai';
import { AgentError } from '../../agent-error';
import type { StructuredReply } from '../../provider';
import { parseJson } from '../parse-json';

/** With responseMimeType application/json, the first candidate's first text part is the verdict JSON. */
export function mapGeminiResponse(response: GenerateContentResponse): StructuredReply {
  const usage = {
    inputTokens: response.usageMetadata?.promptTokenCount ?? 0,
    outputTokens: response.usageMetadata?.candidatesTokenCount ?? 0,
  };
  const text = response.candidates?.[0]?.content?.parts?.[0]?.text;
  if (typeof text !== 'string') {
    const raw = JSON.stringify(response);
    throw new AgentError('malformed_response', 'gemini reply has no text part', undefined, raw, usage);
  }
  return { raw: text, value: parseJson(text, 'gemini', usage), usage };
}
