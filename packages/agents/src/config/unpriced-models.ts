import type { AgentName } from '../agent-runner';
import { priceOf } from '../resilience/cost-budget';
import type { AgentsConfig, ProviderChoice } from './agents-config';
import type { AgentsConfigProblem } from './agents-config-error';

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

/**
 * What is wrong with the prices of the paid models some agent will call (a provider chosen with its
 * key): a model missing from AGENT_PRICES_JSON and the defaults would cost 0 and never count against
 * AGENT_DAILY_BUDGET_USD. A dated snapshot of a listed model (`<model>-YYYYMMDD`) takes its price.
 */
export function unpricedModels(
  config: AgentsConfig,
  choices: Readonly<Record<AgentName, ProviderChoice>>,
): AgentsConfigProblem[] {
  const chosen = new Set(Object.values(choices));
  const problems: AgentsConfigProblem[] = [];
  for (const choice of chosen) {
    const paid = PAID[choice];
    if (paid === undefined || paid.needs.some((name) => config[name] === undefined)) continue;
    const model = String(config[paid.model]);
    if (priceOf(config.AGENT_PRICES_JSON, model) !== undefined) continue;
    problems.push({
      variable: 'AGENT_PRICES_JSON',
      reason: 'invalid',
      expected:
        `${paid.model} ${model} has no price, so AGENT_DAILY_BUDGET_USD could not count what it spends: ` +
        `give its USD per million tokens in AGENT_PRICES_JSON, e.g. ` +
        `{"${model}":{"inputPerMillion":3,"outputPerMillion":15}} (added to the default prices; a free ` +
        `model is priced 0)`,
    });
  }
  return problems;
}
