import type { TokenUsage } from '../provider';

/**
 * Characters per token assumed for a prompt no vendor counted: few, so the count errs high (the
 * prompts are mostly numbers and JSON, which tokenise densely).
 */
export const CHARS_PER_TOKEN = 3;

/**
 * What a call we stopped waiting for (our per-call timeout) may cost: it was sent, and the vendor bills
 * the reply it goes on to generate whether or not anyone reads it, so the daily budget counts it at its
 * ceiling (the prompt, and every output token the request allowed) rather than at nothing.
 */
export function timedOutUsage(prompt: string, maxOutputTokens: number): TokenUsage {
  return { inputTokens: Math.ceil(prompt.length / CHARS_PER_TOKEN), outputTokens: maxOutputTokens };
}
