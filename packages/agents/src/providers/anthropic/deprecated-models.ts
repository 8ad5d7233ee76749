/**
 * Anthropic models past their announcement of retirement, with the end-of-life date, as listed in the
 * pinned SDK (@anthropic-ai/sdk 1.12.0, `DEPRECATED_MODELS` in resources/messages/messages.js, which it
 * does not export): a test keeps the two equal. Requests to a retired model fail, so one configured
 * here is warned about at start, in the structured log, rather than on every call by the SDK's own
 * console.warn only.
 */
export const ANTHROPIC_DEPRECATED_MODELS: Readonly<Record<string, string>> = {
  'claude-sonnet-4-5': 'November 30th, 2026',
  'claude-sonnet-4-5-20250929': 'November 30th, 2026',
};

/** The end-of-life date of a deprecated Anthropic model; undefined for a current one. */
export function anthropicEndOfLife(model: string): string | undefined {
  return Object.hasOwn(ANTHROPIC_DEPRECATED_MODELS, model) ? ANTHROPIC_DEPRECATED_MODELS[model] : undefined;
}
