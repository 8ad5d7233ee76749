import type { Message, Usage } from '@anthropic-ai/sdk/resources/messages/messages';
import { AgentError } from '../../agent-error';
import type { StructuredReply, TokenUsage } from '../../provider';
import { type EarlyStop, stoppedEarly } from '../stopped-early';

const STOPS: Readonly<Partial<Record<NonNullable<Message['stop_reason']>, EarlyStop>>> = {
  max_tokens: 'truncated',
  model_context_window_exceeded: 'truncated',
  refusal: 'refused',
};

/**
 * The forced tool call's input is the verdict; its absence (a text-only reply) is malformed, and so is
 * more than one call of it (one reply approving and rejecting: neither can be taken for the verdict). A
 * reply cut at max_tokens or refused is no verdict whatever it holds; each carries the usage billed for it.
 */
export function mapAnthropicResponse(message: Message, toolName: string): StructuredReply {
  // Its body is not kept: it is not the model's, and a server echoing what it was sent would echo the key.
  if (!isMessage(message)) throw new AgentError('malformed_response', 'anthropic reply is not a message');
  const usage = anthropicUsage(message.usage);
  const stop = message.stop_reason === null ? undefined : STOPS[message.stop_reason];
  if (stop !== undefined)
    throw stoppedEarly(
      stop,
      'anthropic',
      String(message.stop_reason),
      JSON.stringify(message.content),
      usage,
    );
  const calls = message.content.filter((b) => b.type === 'tool_use' && b.name === toolName);
  const block = calls[0];
  if (calls.length !== 1 || block === undefined || block.type !== 'tool_use') {
    const raw = JSON.stringify(message.content);
    const why =
      calls.length === 0
        ? `anthropic reply has no ${toolName} tool call`
        : `anthropic reply called ${toolName} ${calls.length} times, not once`;
    throw new AgentError('malformed_response', why, undefined, raw, usage);
  }
  return { raw: JSON.stringify(block.input), value: block.input, usage };
}

/**
 * The tokens a reply was billed for: `input_tokens` counts only the prompt after the last cache
 * breakpoint, so the tokens a prompt cache wrote or read are added, and priced apart (their 1-hour part
 * from `cache_creation`, the rest as 5-minute writes).
 */
export function anthropicUsage(usage: Usage): TokenUsage {
  const written = usage.cache_creation_input_tokens ?? 0;
  const read = usage.cache_read_input_tokens ?? 0;
  const counted = { inputTokens: usage.input_tokens + written + read, outputTokens: usage.output_tokens };
  if (written + read === 0) return counted;
  const written1h = Math.min(written, usage.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  return { ...counted, cachedInput: { written5m: written - written1h, written1h, read } };
}

/**
 * Whether a 200's body is a Message at all: the SDK hands back a body of another content type as its
 * text (a proxy's HTML page), and JSON of any shape as it is.
 */
function isMessage(body: unknown): body is Message {
  if (typeof body !== 'object' || body === null) return false;
  const { content, usage } = body as Partial<Message>;
  return Array.isArray(content) && typeof usage === 'object' && usage !== null;
}
