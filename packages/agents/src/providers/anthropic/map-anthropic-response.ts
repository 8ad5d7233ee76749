import type { Message } from '@anthropic-ai/sdk/resources/messages/messages';
import { AgentError } from '../../agent-error';
import type { StructuredReply } from '../../provider';

/**
 * The forced tool call's input is the verdict; its absence (a text-only reply) is malformed, and
 * carries the usage billed for it.
 */
export function mapAnthropicResponse(message: Message, toolName: string): StructuredReply {
  const usage = { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens };
  const block = message.content.find((b) => b.type === 'tool_use' && b.name === toolName);
  if (block === undefined || block.type !== 'tool_use') {
    const raw = JSON.stringify(message.content);
    throw new AgentError(
      'malformed_response',
      `anthropic reply has no ${toolName} tool call`,
      undefined,
      raw,
      usage,
    );
  }
  return { raw: JSON.stringify(block.input), value: block.input, usage };
}
