import { jsonVariable, timerMs } from '@ballast/contracts';
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
 * USD per million tokens (list prices when written). `claude-sonnet-4-5` reaches end-of-life on
 * 30 Nov 2026 and stays priced only for those still configuring it. A dated snapshot (`claude-sonnet-4-5-20250929`)
 * takes its model's price; a paid model (Anthropic, Gemini, an OpenAI-compatible endpoint called with an
 * API key) missing here is refused at start; a local OpenAI-compatible model (no key) costs nothing.
 */
export const DEFAULT_PRICES = {
  'claude-sonnet-4-6': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15 },
  'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
} as const;

/**
 * The operator's prices over the defaults: a table written before the default model changed (one
 * listing claude-sonnet-4-5 only) still prices the new default, and a listed model overrides its default.
 */
const PriceTableJson = jsonVariable(z.record(z.string(), ModelPriceSchema))
  .prefault('{}')
  .transform((given) => ({ ...DEFAULT_PRICES, ...given }));

/**
 * The LLM agents' environment. Secrets may come from `<NAME>_FILE` (service-kit's loadConfig resolves
 * those). An empty environment is valid and fully deterministic: every agent decides by the rules.
 */
export const agentsConfigSchema = z.object({
  /**
   * Which provider each agent asks. Unset: the analyst asks Gemini and the reviewer Claude when that
   * vendor's key is configured, and otherwise decide by the rules (warned at start). Chosen explicitly:
   * the vendor's key (or URL, for openai-compatible) must be configured, or the agents refuse to start
   * (resolveProviders): a reviewer the operator chose must not silently become the rules.
   */
  ANALYST_PROVIDER: ProviderChoice.optional(),
  REVIEWER_PROVIDER: ProviderChoice.optional(),
  /**
   * Writes lessons from closed positions and hindsight on rejected candidates. Unset: rules, since
   * hindsight produces a reflection for every vetoed candidate, too many to pay a model for unless chosen.
   */
  REFLECTOR_PROVIDER: ProviderChoice.optional(),
  ANTHROPIC_API_KEY: OptionalText,
  /**
   * The newest Sonnet that still accepts the forced tool call the verdict is read from: Sonnet 5 thinks
   * by default and Sonnet 5.5 refuses a forced tool_choice (400), so moving to them needs structured
   * outputs instead. A model the SDK lists as deprecated is warned about at start.
   */
  ANTHROPIC_MODEL: z.string().min(1).default('claude-sonnet-4-6'),
  /** Default https://api.anthropic.com; tests point it at a local server. */
  ANTHROPIC_BASE_URL: OptionalUrl,
  GEMINI_API_KEY: OptionalText,
  GEMINI_MODEL: z.string().min(1).default('gemini-2.5-flash'),
  /** Default https://generativelanguage.googleapis.com. */
  GEMINI_BASE_URL: OptionalUrl,
  /**
   * An OpenAI-compatible server: its base URL enables the provider. The server root (Ollama, llama.cpp)
   * or a base with its path (`http://127.0.0.1:11434/v1`, `https://openrouter.ai/api/v1`).
   */
  OPENAI_COMPAT_URL: OptionalUrl,
  OPENAI_COMPAT_API_KEY: OptionalText,
  OPENAI_COMPAT_MODEL: z.string().min(1).default('llama3.1'),
  /** Per HTTP call; retries come on top. */
  AGENT_TIMEOUT_MS: timerMs(20_000),
  AGENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  AGENT_BREAKER_FAILURES: z.coerce.number().int().positive().default(3),
  AGENT_BREAKER_OPEN_MS: z.coerce.number().int().positive().default(300_000),
  /**
   * When the reviewer model gives no valid verdict (timeout, 429/5xx after the retries, a refused
   * request, breaker open, budget spent): `reject` (default) rejects the candidate (decision rejection
   * `reviewer_failed`), since an unavailable reviewer must not approve; `rules`, opted into, reviews by
   * the rules, which approve what they find sound. A reply the model gave but we cannot read (not JSON,
   * failing the schema, cut off at the token cap, refused, or lost when its connection dropped after the
   * request went out) rejects either way: it may have said no.
   */
  REVIEWER_FALLBACK: z.enum(REVIEWER_FALLBACKS).default('reject'),
  /**
   * Shared by every agent; once spent, calls take their fallback until the next UTC day, and signals
   * raises one `llm_budget_spent` alert that day.
   */
  AGENT_DAILY_BUDGET_USD: z.coerce.number().nonnegative().default(5),
  /** JSON: model → { inputPerMillion, outputPerMillion } in USD, added to (and overriding) DEFAULT_PRICES. */
  AGENT_PRICES_JSON: PriceTableJson,
  /** on/off: lessons written after outcomes and injected into later prompts. */
  AGENT_REFLECTION: OnOff,
  AGENT_LESSONS_COUNT: z.coerce.number().int().min(0).max(50).default(5),
  AGENT_LESSONS_CHARS: z.coerce.number().int().min(0).max(20_000).default(1_200),
});
export type AgentsConfig = z.output<typeof agentsConfigSchema>;
