/** A JSON schema object, as sent to a model to constrain its reply. */
export type JsonSchema = { readonly [key: string]: unknown };

/** One structured-output request: the model must answer with JSON matching `schema`. */
export interface StructuredRequest {
  readonly system: string;
  readonly prompt: string;
  /** A short identifier for the schema (Anthropic tool name): letters, digits, underscores. */
  readonly schemaName: string;
  readonly schema: JsonSchema;
  readonly maxOutputTokens: number;
  /** Aborts the HTTP request when the per-call timeout expires. */
  readonly signal: AbortSignal;
}

export interface TokenUsage {
  /** Every prompt token, cached ones included. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The prompt tokens of `inputTokens` a prompt cache wrote or read, priced apart (CACHE_PRICE_FACTORS). */
  readonly cachedInput?: CachedInput;
  /**
   * The vendor's reply reported no usage (an OpenAI-compatible server without `usage`, a Gemini reply
   * without `usageMetadata`): the counts are 0, and the runner estimates what the reply was billed.
   */
  readonly unreported?: true;
}

/** Prompt tokens a vendor's prompt cache wrote (for 5 minutes or 1 hour) or read. */
export interface CachedInput {
  readonly written5m: number;
  readonly written1h: number;
  readonly read: number;
}

export interface StructuredReply {
  /** The reply as text, for the audit. */
  readonly raw: string;
  /** The reply's JSON value, not yet validated against the verdict schema. */
  readonly value: unknown;
  readonly usage: TokenUsage;
}

export type ProviderId = 'anthropic' | 'gemini' | 'openai-compatible';

/**
 * The spec every vendor adapter implements (after vercel/ai): one structured call, errors thrown as
 * `AgentError` values. Adapters do no retrying and no validation of the verdict: the caller owns both.
 */
export interface LanguageModelProvider {
  readonly id: ProviderId;
  readonly model: string;
  generate(request: StructuredRequest): Promise<StructuredReply>;
  /**
   * The most output tokens a request allowing `maxOutputTokens` may be billed: more when the adapter
   * adds room of its own (Gemini's thinking budget); default `maxOutputTokens`.
   */
  maxBilledOutputTokens?(maxOutputTokens: number): number;
}
