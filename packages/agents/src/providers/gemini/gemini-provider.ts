import { type GenerationConfig, GoogleGenerativeAI } from '@google/generative-ai';
import type { LanguageModelProvider, StructuredReply, StructuredRequest } from '../../provider';
import { keyMasked } from '../key-masked';
import { mapGeminiError } from './map-gemini-error';
import { mapGeminiResponse } from './map-gemini-response';
import { thinkingBudgetFor } from './thinking-budget';
import { toGeminiSchema } from './to-gemini-schema';

export interface GeminiProviderOptions {
  readonly apiKey: string;
  readonly model: string;
  /** Default https://generativelanguage.googleapis.com; tests point it at a local server. */
  readonly baseUrl?: string | undefined;
}

/** Gemini generateContent with JSON output constrained by a response schema. */
export class GeminiProvider implements LanguageModelProvider {
  readonly id = 'gemini';
  readonly model: string;
  readonly #client: GoogleGenerativeAI;
  readonly #baseUrl: string | undefined;
  readonly #apiKey: string;

  constructor(options: GeminiProviderOptions) {
    this.model = options.model;
    this.#apiKey = options.apiKey;
    this.#client = new GoogleGenerativeAI(options.apiKey);
    this.#baseUrl = options.baseUrl;
  }

  /** The verdict's room and the thinking budget on top, as `generate` asks for. */
  maxBilledOutputTokens(maxOutputTokens: number): number {
    return maxOutputTokens + (thinkingBudgetFor(this.model) ?? 0);
  }

  async generate(request: StructuredRequest): Promise<StructuredReply> {
    const thinkingBudget = thinkingBudgetFor(this.model);
    const model = this.#client.getGenerativeModel(
      {
        model: this.model,
        systemInstruction: request.system,
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: toGeminiSchema(request.schema),
          // Thinking tokens count against the cap: the verdict's room comes on top of the budget.
          maxOutputTokens: this.maxBilledOutputTokens(request.maxOutputTokens),
          // The 0.24 SDK's types predate thinkingConfig; it passes the config through untouched.
          ...(thinkingBudget === undefined ? {} : { thinkingConfig: { thinkingBudget } }),
        } as GenerationConfig,
      },
      this.#baseUrl === undefined ? {} : { baseUrl: this.#baseUrl },
    );
    try {
      const { response } = await model.generateContent(request.prompt, { signal: request.signal });
      return mapGeminiResponse(response);
    } catch (err) {
      throw keyMasked(mapGeminiError(err, request.signal.aborted), this.#apiKey);
    }
  }
}
