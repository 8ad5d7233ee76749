import { AgentError } from '../../agent-error';
import type { LanguageModelProvider, StructuredReply, StructuredRequest } from '../../provider';
import { retryAfterMs } from '../../resilience/retry-after';
import { httpStatusError } from '../http-status-error';
import { keyMasked } from '../key-masked';
import { reachedVendor } from '../reached-vendor';
import { chatCompletionsUrl } from './chat-completions-url';
import { mapOpenAiResponse } from './map-openai-response';

export interface OpenAiCompatibleProviderOptions {
  /**
   * e.g. http://127.0.0.1:11434 (Ollama), http://127.0.0.1:8080 (llama.cpp server), or a hosted
   * endpoint's base with its path (https://openrouter.ai/api/v1): see chatCompletionsUrl.
   */
  readonly baseUrl: string;
  readonly model: string;
  /** Local servers usually need none. */
  readonly apiKey?: string | undefined;
  /** Epoch ms, to read an HTTP-date Retry-After; default the system clock (build-agents injects its own). */
  readonly now?: (() => number) | undefined;
}

/**
 * Local models behind an OpenAI-compatible `/v1/chat/completions` (plain fetch, JSON mode). JSON mode
 * does not enforce a schema, so the schema goes into the system prompt and zod checks the reply.
 */
export class OpenAiCompatibleProvider implements LanguageModelProvider {
  readonly id = 'openai-compatible';
  readonly model: string;

  constructor(private readonly options: OpenAiCompatibleProviderOptions) {
    this.model = options.model;
  }

  async generate(request: StructuredRequest): Promise<StructuredReply> {
    try {
      return await this.ask(request);
    } catch (err) {
      throw err instanceof AgentError ? keyMasked(err, this.options.apiKey) : err;
    }
  }

  private async ask(request: StructuredRequest): Promise<StructuredReply> {
    const response = await this.post(request);
    if (!response.ok) {
      throw httpStatusError(
        'openai-compatible',
        response.status,
        retryAfterMs((n) => response.headers.get(n), (this.options.now ?? Date.now)()),
      );
    }
    const text = await this.readBody(response, request.signal);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AgentError('malformed_response', 'openai-compatible reply is not JSON');
    }
    return mapOpenAiResponse(body, request.maxOutputTokens);
  }

  /**
   * fetch resolves at the headers; the body can still time out or lose its connection. Those are an
   * outage (retried, counted by the breaker), not an unusable answer: only a body that arrived in full
   * and is not JSON is `malformed_response`.
   */
  private async readBody(response: Response, signal: AbortSignal): Promise<string> {
    try {
      return await response.text();
    } catch (err) {
      if (signal.aborted) throw new AgentError('timeout', 'openai-compatible reply timed out mid-body');
      // The vendor answered 200 and bills the reply we lost.
      throw new AgentError(
        'network',
        `openai-compatible reply cut off: ${(err as Error).name}`,
        undefined,
        undefined,
        undefined,
        true,
      );
    }
  }

  private async post(request: StructuredRequest): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const system = `${request.system}\n\nAnswer with one JSON object matching this JSON schema:\n${JSON.stringify(request.schema)}`;
    try {
      return await fetch(chatCompletionsUrl(this.options.baseUrl), {
        method: 'POST',
        headers,
        signal: request.signal,
        body: JSON.stringify({
          model: this.model,
          max_tokens: request.maxOutputTokens,
          response_format: { type: 'json_object' },
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: request.prompt },
          ],
        }),
      });
    } catch (err) {
      if (request.signal.aborted) throw new AgentError('timeout', 'openai-compatible call timed out');
      throw new AgentError(
        'network',
        `openai-compatible connection failed: ${(err as Error).name}`,
        undefined,
        undefined,
        undefined,
        reachedVendor(err),
      );
    }
  }
}
