import { z } from 'zod';
import { AgentError } from '../../agent-error';
import type { StructuredReply } from '../../provider';
import { parseJson } from '../parse-json';

/** The part of an OpenAI chat-completions response we read; servers add more fields freely. */
const ChatCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).optional(),
});

export function mapOpenAiResponse(body: unknown): StructuredReply {
  const parsed = ChatCompletion.safeParse(body);
  const content = parsed.success ? parsed.data.choices[0]?.message.content : undefined;
  if (!parsed.success || typeof content !== 'string') {
    throw new AgentError(
      'malformed_response',
      'chat completion has no message content',
      undefined,
      JSON.stringify(body),
    );
  }
  const usage = parsed.data.usage;
  return {
    raw: content,
    value: parseJson(content, 'openai-compatible'),
    usage: { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0 },
  };
}
