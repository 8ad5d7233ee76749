import type { Message } from '@anthropic-ai/sdk/resources/messages/messages';
import type { GenerateContentResponse } from '@google/generative-ai';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../agent-error';
import { mapAnthropicResponse } from './anthropic/map-anthropic-response';
import { mapGeminiResponse } from './gemini/map-gemini-response';
import { mapOpenAiResponse } from './openai-compatible/map-openai-response';

// A verdict cut short that still passes the schema: the "but …" was lost.
const CUT = { approve: true, sizeMultiplier: 1, reasons: ['trend ok, but'] };

function reasonOf(map: () => unknown): string {
  try {
    map();
  } catch (err) {
    if (err instanceof AgentError) return `${err.reason} ${err.usage?.outputTokens}`;
    throw err;
  }
  return 'accepted';
}

function claude(stop: Message['stop_reason']): Message {
  return {
    id: 'msg_01Stop',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [{ type: 'tool_use', id: 'toolu_01', name: 'review_verdict', input: CUT, caller: null }],
    stop_reason: stop,
    stop_sequence: null,
    usage: { input_tokens: 900, output_tokens: 1024 },
  } as unknown as Message;
}

function gemini(finishReason: string): GenerateContentResponse {
  return {
    candidates: [
      { content: { parts: [{ text: JSON.stringify(CUT) }], role: 'model' }, finishReason, index: 0 },
    ],
    usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 1024, totalTokenCount: 1924 },
  } as unknown as GenerateContentResponse;
}

function openAi(
  finish_reason: string | null | undefined,
  content = JSON.stringify(CUT),
  completion_tokens = 1024,
) {
  return {
    choices: [{ message: { content }, ...(finish_reason === undefined ? {} : { finish_reason }) }],
    usage: { prompt_tokens: 900, completion_tokens },
  };
}

describe('a reply that stopped early is no verdict, whatever it holds', () => {
  it('Anthropic: max_tokens is truncated, refusal is refused, tool_use is the verdict', () => {
    expect(reasonOf(() => mapAnthropicResponse(claude('max_tokens'), 'review_verdict'))).toBe(
      'truncated 1024',
    );
    expect(reasonOf(() => mapAnthropicResponse(claude('refusal'), 'review_verdict'))).toBe('refused 1024');
    expect(reasonOf(() => mapAnthropicResponse(claude('tool_use'), 'review_verdict'))).toBe('accepted');
  });

  it('Gemini: MAX_TOKENS is truncated, SAFETY is refused, STOP is the verdict', () => {
    expect(reasonOf(() => mapGeminiResponse(gemini('MAX_TOKENS')))).toBe('truncated 1024');
    expect(reasonOf(() => mapGeminiResponse(gemini('SAFETY')))).toBe('refused 1024');
    expect(reasonOf(() => mapGeminiResponse(gemini('STOP')))).toBe('accepted');
  });

  it('OpenAI-compatible: length is truncated, content_filter is refused, stop is the verdict', () => {
    expect(reasonOf(() => mapOpenAiResponse(openAi('length'), 2048))).toBe('truncated 1024');
    expect(reasonOf(() => mapOpenAiResponse(openAi('content_filter'), 2048))).toBe('refused 1024');
    expect(reasonOf(() => mapOpenAiResponse(openAi('stop'), 2048))).toBe('accepted');
  });

  it('OpenAI-compatible without finish_reason: a whole JSON object under the token cap is the verdict (local servers omit it), a cut one or one at the cap is truncated', () => {
    const cutText = JSON.stringify(CUT).slice(0, 40);
    expect(reasonOf(() => mapOpenAiResponse(openAi(undefined, JSON.stringify(CUT), 300), 2048))).toBe(
      'accepted',
    );
    expect(reasonOf(() => mapOpenAiResponse(openAi(null, JSON.stringify(CUT), 300), 2048))).toBe('accepted');
    expect(reasonOf(() => mapOpenAiResponse(openAi(undefined, cutText, 300), 2048))).toBe('truncated 300');
    expect(reasonOf(() => mapOpenAiResponse(openAi(null, cutText, 300), 2048))).toBe('truncated 300');
    expect(reasonOf(() => mapOpenAiResponse(openAi(undefined, JSON.stringify(CUT), 2048), 2048))).toBe(
      'truncated 2048',
    );
    expect(reasonOf(() => mapOpenAiResponse(openAi(null, '[1, 2]', 300), 2048))).toBe('truncated 300');
  });
});
