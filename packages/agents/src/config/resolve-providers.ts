import type { AgentName } from '../agent-runner';
import type { AgentsConfig, ProviderChoice } from './agents-config';
import type { AgentsConfigProblem } from './agents-config-error';

/** The variable that must be set before a vendor can be called at all. */
const NEEDS: Readonly<Record<Exclude<ProviderChoice, 'rules'>, keyof AgentsConfig>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
  'openai-compatible': 'OPENAI_COMPAT_URL',
};

const VARIABLE = {
  analyst: 'ANALYST_PROVIDER',
  reviewer: 'REVIEWER_PROVIDER',
  reflector: 'REFLECTOR_PROVIDER',
} as const satisfies Record<AgentName, keyof AgentsConfig>;

/** Each agent's provider when its variable is unset and that vendor is configured. */
const DEFAULT_CHOICE: Readonly<Record<AgentName, ProviderChoice>> = {
  analyst: 'gemini',
  reviewer: 'anthropic',
  reflector: 'rules',
};

export interface ResolvedProviders {
  readonly choices: Readonly<Record<AgentName, ProviderChoice>>;
  /** Explicit choices that cannot run: the agents refuse to start. */
  readonly problems: readonly AgentsConfigProblem[];
  /** Defaults that fell back to the rules for want of a key: said loudly at start. */
  readonly warnings: readonly string[];
}

/**
 * Which provider each agent asks. An explicit choice stands or refuses to start (never silently the
 * rules: a reviewer the operator chose must review); an unset one takes its default vendor when that
 * vendor is configured, else the rules, with a warning, so an environment without keys still starts.
 */
export function resolveProviders(config: AgentsConfig): ResolvedProviders {
  const choices = {} as Record<AgentName, ProviderChoice>;
  const problems: AgentsConfigProblem[] = [];
  const warnings: string[] = [];
  for (const agent of Object.keys(VARIABLE) as AgentName[]) {
    const variable = VARIABLE[agent];
    const chosen = config[variable];
    const choice = chosen ?? DEFAULT_CHOICE[agent];
    const missing = choice === 'rules' || config[NEEDS[choice]] !== undefined ? undefined : NEEDS[choice];
    choices[agent] = missing === undefined ? choice : 'rules';
    if (missing === undefined) continue;
    if (chosen === undefined)
      warnings.push(
        `${variable} is unset and ${missing} is not configured: the ${agent} decides by the rules ` +
          `(set ${variable}=rules to say so, or configure ${missing})`,
      );
    else
      problems.push({
        variable: missing,
        reason: 'missing',
        expected:
          `${variable}=${chosen} needs ${missing} (or ${missing}_FILE), which is not set: set it, ` +
          `or ${variable}=rules to decide by the rules`,
      });
  }
  return { choices, problems, warnings };
}
