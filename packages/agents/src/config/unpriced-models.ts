import { priceOf } from '../resilience/cost-budget';
import type { AgentsConfig, ProviderChoice } from './agents-config';

/**
 * Vendors that bill per token, called when every `needs` variable is set: their model must have a price,
 * or the daily budget cannot count it. An OpenAI-compatible endpoint called with an API key is a hosted
 * one (OpenAI, OpenRouter) and bills too; one without a key is a local server (Ollama) and costs nothing.
 */
const PAID: Readonly<
  Partial<Record<ProviderChoice, { needs: ReadonlyArray<keyof AgentsConfig>; model: keyof AgentsConfig }>>
> = {
  anthropic: { needs: ['ANTHROPIC_API_KEY'], model: 'ANTHROPIC_MODEL' },
  gemini: { needs: ['GEMINI_API_KEY'], model: 'GEMINI_MODEL' },
  'openai-compatible': {
    needs: ['OPENAI_COMPAT_URL', 'OPENAI_COMPAT_API_KEY'],
    model: 'OPENAI_COMPAT_MODEL',
  },
};

/** Thrown at start when a configured paid model has no price: one line per model. */
export class UnpricedModelError extends Error {
  override readonly name = 'UnpricedModelError';
  constructor(readonly problems: readonly string[]) {
    super(`agents configuration refused:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
}

/**
 * What is wrong with the prices of the paid models some agent will call (a provider chosen with its
 * key): a model missing from AGENT_PRICES_JSON would cost 0 and never count against
 * AGENT_DAILY_BUDGET_USD. A dated snapshot of a listed model (`<model>-YYYYMMDD`) takes its price.
 */
export function unpricedModels(config: AgentsConfig): string[] {
  const chosen = new Set([config.ANALYST_PROVIDER, config.REVIEWER_PROVIDER, config.REFLECTOR_PROVIDER]);
  const problems: string[] = [];
  for (const choice of chosen) {
    const paid = PAID[choice];
    if (paid === undefined || paid.needs.some((name) => config[name] === undefined)) continue;
    const model = String(config[paid.model]);
    if (priceOf(config.AGENT_PRICES_JSON, model) !== undefined) continue;
    problems.push(
      `${paid.model} ${model} has no price, so AGENT_DAILY_BUDGET_USD could not count what it spends: ` +
        `give its USD per million tokens in AGENT_PRICES_JSON, e.g. ` +
        `{"${model}":{"inputPerMillion":3,"outputPerMillion":15}} (the variable replaces the default ` +
        `table: list every model in use; a free model is priced 0)`,
    );
  }
  return problems;
}
