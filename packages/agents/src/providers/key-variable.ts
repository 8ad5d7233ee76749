import type { ProviderId } from '../provider';

const KEY_VARIABLES: Readonly<Record<ProviderId, string>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
  'openai-compatible': 'OPENAI_COMPAT_API_KEY',
};

/**
 * The variable holding a provider's API key: what an operator is told to fix, never its value. Null for
 * a provider this package does not know (a test double's).
 */
export function keyVariable(provider: string): string | null {
  return Object.hasOwn(KEY_VARIABLES, provider) ? (KEY_VARIABLES[provider as ProviderId] ?? null) : null;
}
