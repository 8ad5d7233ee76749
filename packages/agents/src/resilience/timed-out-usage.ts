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

/**
 * What a reply whose vendor reported no usage may have cost: the prompt and the reply's text at the same
 * few characters a token, and `hiddenOutputTokens` more the text does not show (a thinking budget).
 */
export function unreportedUsage(prompt: string, reply: string, hiddenOutputTokens: number): TokenUsage {
  return {
    inputTokens: Math.ceil(prompt.length / CHARS_PER_TOKEN),
    outputTokens: Math.ceil(reply.length / CHARS_PER_TOKEN) + hiddenOutputTokens,
  };
}
