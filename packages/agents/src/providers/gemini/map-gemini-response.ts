import { FinishReason, type GenerateContentResponse } from '@google/generative-ai';
import { AgentError } from '../../agent-error';
import type { StructuredReply, TokenUsage } from '../../provider';
import { parseJson } from '../parse-json';
import { type EarlyStop, stoppedEarly } from '../stopped-early';

const STOPS: Readonly<Partial<Record<FinishReason, EarlyStop>>> = {
  [FinishReason.MAX_TOKENS]: 'truncated',
  [FinishReason.SAFETY]: 'refused',
  [FinishReason.RECITATION]: 'refused',
  [FinishReason.BLOCKLIST]: 'refused',
  [FinishReason.PROHIBITED_CONTENT]: 'refused',
  [FinishReason.SPII]: 'refused',
};

/**
 * A thinking model (gemini-2.5-*) also reports `thoughtsTokenCount`: its reasoning, billed at the output
 * price and not part of `candidatesTokenCount`. The REST API sends it; the SDK's 0.24 `UsageMetadata`
 * type does not declare it (the SDK passes the body through untouched).
 */
type UsageWithThoughts = NonNullable<GenerateContentResponse['usageMetadata']> & {
  thoughtsTokenCount?: number;
};

/**
 * With responseMimeType application/json, the first candidate's first text part is the verdict JSON;
 * a candidate cut at MAX_TOKENS (thinking may have spent them), blocked for safety, ended for any
 * reason but STOP or not said to have ended (no finishReason) is no verdict, nor is a prompt Gemini blocked (promptFeedback, no candidates).
 */
export function mapGeminiResponse(response: GenerateContentResponse): StructuredReply {
  const metadata: UsageWithThoughts | undefined = response.usageMetadata;
  const usage: TokenUsage =
    metadata === undefined
      ? { inputTokens: 0, outputTokens: 0, unreported: true }
      : {
          inputTokens: metadata.promptTokenCount ?? 0,
          outputTokens: (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0),
        };
  const blocked = response.promptFeedback?.blockReason;
  if (blocked !== undefined)
    throw stoppedEarly('refused', 'gemini', `prompt blocked (${blocked})`, JSON.stringify(response), usage);
  const finish = response.candidates?.[0]?.finishReason;
  // A candidate without a finishReason never said it ended: generateContent sets one on every finished
  // candidate, and only a cut stream (a partial chunk a gateway passed on as the reply) lacks it, so the
  // text, however well it parses, may be a verdict cut short.
  if (finish === undefined && response.candidates?.[0] !== undefined)
    throw stoppedEarly('truncated', 'gemini', 'no finishReason', JSON.stringify(response), usage);
  // Only a reply that ended normally is a verdict: a reason this list does not know (OTHER, LANGUAGE, one
  // added after this SDK) is not, even when its text happens to parse.
  if (finish !== undefined && finish !== FinishReason.STOP)
    throw stoppedEarly(STOPS[finish] ?? 'refused', 'gemini', String(finish), JSON.stringify(response), usage);
  const text = response.candidates?.[0]?.content?.parts?.[0]?.text;
  if (typeof text !== 'string') {
    const raw = JSON.stringify(response);
    throw new AgentError('malformed_response', 'gemini reply has no text part', undefined, raw, usage);
  }
  return { raw: text, value: parseJson(text, 'gemini', usage), usage };
}
