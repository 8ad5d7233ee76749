import { z } from 'zod';
import { AgentError } from '../../agent-error';
import type { StructuredReply, TokenUsage } from '../../provider';
import { parseJson } from '../parse-json';
import { type EarlyStop, stoppedEarly } from '../stopped-early';

const STOPS: Readonly<Record<string, EarlyStop>> = { length: 'truncated', content_filter: 'refused' };

/** The part of an OpenAI chat-completions response we read; servers add more fields freely. */
const ChatCompletion = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
});
const Usage = z.object({
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }),
});

/**
 * The reply's content as JSON; one cut at the token cap (`length`) or filtered is no verdict, and a
 * reply we cannot read still carries the usage it reports.
 */
export function mapOpenAiResponse(body: unknown): StructuredReply {
  const reported = Usage.safeParse(body);
  const usage: TokenUsage = reported.success
    ? { inputTokens: reported.data.usage.prompt_tokens, outputTokens: reported.data.usage.completion_tokens }
    : { inputTokens: 0, outputTokens: 0, unreported: true };
  const parsed = ChatCompletion.safeParse(body);
  const finish = parsed.success ? parsed.data.choices[0]?.finish_reason : undefined;
  const stop = typeof finish === 'string' ? STOPS[finish] : undefined;
  if (stop !== undefined)
    throw stoppedEarly(stop, 'openai-compatible', String(finish), JSON.stringify(body), usage);
  const content = parsed.success ? parsed.data.choices[0]?.message.content : undefined;
  if (typeof content !== 'string') {
    throw new AgentError(
      'malformed_response',
      'chat completion has no message content',
      undefined,
      JSON.stringify(body),
      usage,
    );
  }
  return { raw: content, value: parseJson(content, 'openai-compatible', usage), usage };
}
