import { GoogleGenerativeAI } from '@google/generative-ai';
import type { LanguageModelProvider, StructuredReply, StructuredRequest } from '../../provider';
import { mapGeminiError } from './map-gemini-error';
import { mapGeminiResponse } from './map-gemini-response';
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

  constructor(options: GeminiProviderOptions) {
    this.model = options.model;
    this.#client = new GoogleGenerativeAI(options.apiKey);
    this.#baseUrl = options.baseUrl;
  }

  async generate(request: StructuredRequest): Promise<StructuredReply> {
    const model = this.#client.getGenerativeModel(
      {
        model: this.model,
        systemInstruction: request.system,
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: toGeminiSchema(request.schema),
          maxOutputTokens: request.maxOutputTokens,
        },
      },
      this.#baseUrl === undefined ? {} : { baseUrl: this.#baseUrl },
    );
    try {
      const { response } = await model.generateContent(request.prompt, { signal: request.signal });
      return mapGeminiResponse(response);
    } catch (err) {
      throw mapGeminiError(err);
    }
  }
}
