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
 *
 * A choice without finish_reason never said it ended. Some local servers omit it on every reply, so it
 * is accepted when nothing suggests a cut: its content parses as one whole JSON object (a cut one does
 * not) and the reported completion tokens stay below the `maxOutputTokens` we asked for. Otherwise it is
 * `truncated`, not `malformed_response`: what it holds may be a verdict cut short.
 */
export function mapOpenAiResponse(body: unknown, maxOutputTokens: number): StructuredReply {
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
  if (finish === undefined || finish === null) {
    const whole = wholeObject(content);
    const atCap = reported.success && reported.data.usage.completion_tokens >= maxOutputTokens;
    if (whole === undefined || atCap)
      throw stoppedEarly('truncated', 'openai-compatible', 'no finish_reason', JSON.stringify(body), usage);
    return { raw: content, value: whole, usage };
  }
  return { raw: content, value: parseJson(content, 'openai-compatible', usage), usage };
}

/** The text as a JSON object, or undefined when it is not one whole object (cut, or not JSON at all). */
function wholeObject(text: string): object | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
