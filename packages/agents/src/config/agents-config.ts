import { jsonVariable } from '@ballast/contracts';
import { z } from 'zod';
import { REVIEWER_FALLBACKS } from '../pipeline/settle-review';

export const PROVIDER_CHOICES = ['gemini', 'anthropic', 'openai-compatible', 'rules'] as const;
const ProviderChoice = z.enum(PROVIDER_CHOICES);
export type ProviderChoice = z.infer<typeof ProviderChoice>;

/** Empty strings count as unset: compose files often pass `KEY=` for an unused provider. */
const OptionalText = z
  .string()
  .optional()
  .transform((text) => (text === undefined || text.trim() === '' ? undefined : text.trim()));
const OptionalUrl = OptionalText.pipe(z.url().optional());

const OnOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .default('on')
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const ModelPriceSchema = z.object({
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
});

/**
 * USD per million tokens (list prices when written). A dated snapshot (`claude-sonnet-4-5-20250929`)
 * takes its model's price; a paid model (Anthropic, Gemini, an OpenAI-compatible endpoint called with an
 * API key) missing here is refused at start; a local OpenAI-compatible model (no key) costs nothing.
 */
export const DEFAULT_PRICES = {
  'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
} as const;

const PriceTableJson = jsonVariable(z.record(z.string(), ModelPriceSchema)).prefault(
  JSON.stringify(DEFAULT_PRICES),
);

/**
 * The LLM agents' environment. A provider chosen without its key (or URL, for openai-compatible) runs
 * the offline rules instead, so an empty environment is valid and fully deterministic. Secrets may
 * come from `<NAME>_FILE` (service-kit's loadConfig resolves those).
 */
export const agentsConfigSchema = z.object({
  ANALYST_PROVIDER: ProviderChoice.default('gemini'),
  REVIEWER_PROVIDER: ProviderChoice.default('anthropic'),
  /**
   * Writes lessons from closed positions and hindsight on rejected candidates. Default rules: hindsight
   * produces a reflection for every vetoed candidate, too many to pay a model for unless chosen.
   */
  REFLECTOR_PROVIDER: ProviderChoice.default('rules'),
  ANTHROPIC_API_KEY: OptionalText,
  ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-4-5'),
  /** Default https://api.anthropic.com; tests point it at a local server. */
  ANTHROPIC_BASE_URL: OptionalUrl,
  GEMINI_API_KEY: OptionalText,
  GEMINI_MODEL: z.string().min(1).default('gemini-2.5-flash'),
  /** Default https://generativelanguage.googleapis.com. */
  GEMINI_BASE_URL: OptionalUrl,
  /** An OpenAI-compatible server (Ollama, llama.cpp): its base URL enables the provider. */
  OPENAI_COMPAT_URL: OptionalUrl,
  OPENAI_COMPAT_API_KEY: OptionalText,
  OPENAI_COMPAT_MODEL: z.string().min(1).default('llama3.1'),
  /** Per HTTP call; retries come on top. */
  AGENT_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  AGENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  AGENT_BREAKER_FAILURES: z.coerce.number().int().positive().default(3),
  AGENT_BREAKER_OPEN_MS: z.coerce.number().int().positive().default(300_000),
  /**
   * When the reviewer model gives no valid verdict (timeout, 429/5xx after the retries, breaker open,
   * budget spent, a reply failing the schema): `rules` reviews by the rules, `reject` rejects the
   * candidate (decision rejection `reviewer_failed`). Either way a veto in an invalid reply stands.
   */
  REVIEWER_FALLBACK: z.enum(REVIEWER_FALLBACKS).default('rules'),
  /**
   * Shared by every agent; once spent, calls take their fallback until the next UTC day, and signals
   * raises one `llm_budget_spent` alert that day.
   */
  AGENT_DAILY_BUDGET_USD: z.coerce.number().nonnegative().default(5),
  /** JSON: model → { inputPerMillion, outputPerMillion } in USD. */
  AGENT_PRICES_JSON: PriceTableJson,
  /** on/off: lessons written after outcomes and injected into later prompts. */
  AGENT_REFLECTION: OnOff,
  AGENT_LESSONS_COUNT: z.coerce.number().int().min(0).max(50).default(5),
  AGENT_LESSONS_CHARS: z.coerce.number().int().min(0).max(20_000).default(1_200),
});
export type AgentsConfig = z.output<typeof agentsConfigSchema>;
