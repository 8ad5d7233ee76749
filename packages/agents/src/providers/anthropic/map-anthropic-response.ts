import type { Message } from '@anthropic-ai/sdk/resources/messages/messages';
import { AgentError } from '../../agent-error';
import type { StructuredReply } from '../../provider';
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
  const usage = { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens };
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
