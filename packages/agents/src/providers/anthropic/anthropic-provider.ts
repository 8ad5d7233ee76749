import Anthropic from '@anthropic-ai/sdk';
import type { Tool } from '@anthropic-ai/sdk/resources/messages/messages';
import type { LanguageModelProvider, StructuredReply, StructuredRequest } from '../../provider';
import { keyMasked } from '../key-masked';
import { mapAnthropicError } from './map-anthropic-error';
import { mapAnthropicResponse } from './map-anthropic-response';

export interface AnthropicProviderOptions {
  readonly apiKey: string;
  readonly model: string;
  /** Default https://api.anthropic.com; tests point it at a local server. */
  readonly baseURL?: string | undefined;
  /** Epoch ms, to read an HTTP-date Retry-After; default the system clock (build-agents injects its own). */
  readonly now?: (() => number) | undefined;
}

/** Claude via the Messages API; structured output by one forced tool whose input schema is the verdict. */
export class AnthropicProvider implements LanguageModelProvider {
  readonly id = 'anthropic';
  readonly model: string;
  readonly #client: Anthropic;
  readonly #now: () => number;
  readonly #apiKey: string;

  constructor(options: AnthropicProviderOptions) {
    this.model = options.model;
    this.#apiKey = options.apiKey;
    this.#now = options.now ?? (() => Date.now());
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? null,
      // Retries, backoff and timeouts are ours (one policy for every provider, with an injected clock).
      maxRetries: 0,
      openTelemetry: false,
      logLevel: 'off',
    });
  }

  async generate(request: StructuredRequest): Promise<StructuredReply> {
    const tool: Tool = {
      name: request.schemaName,
      description: 'Report your verdict. Always call this tool exactly once.',
      input_schema: { ...request.schema, type: 'object' },
    };
    try {
      const message = await this.#client.messages.create(
        {
          model: this.model,
          max_tokens: request.maxOutputTokens,
          system: request.system,
          messages: [{ role: 'user', content: request.prompt }],
          tools: [tool],
          // Left on, parallel tool use lets one reply call the verdict tool more than once.
          tool_choice: { type: 'tool', name: request.schemaName, disable_parallel_tool_use: true },
        },
        { signal: request.signal },
      );
      return mapAnthropicResponse(message, request.schemaName);
    } catch (err) {
      throw keyMasked(mapAnthropicError(err, this.#now(), request.signal.aborted), this.#apiKey);
    }
  }
}
