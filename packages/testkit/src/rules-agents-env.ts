/**
 * The signals service's environment for agents that ask no model: analyst, reviewer and reflector on the
 * rules, reflection off, and every vendor key blanked, so a key in the test's own environment is not used.
 */
export const RULES_AGENTS_ENV: Readonly<Record<string, string>> = {
  ANALYST_PROVIDER: 'rules',
  REVIEWER_PROVIDER: 'rules',
  REFLECTOR_PROVIDER: 'rules',
  AGENT_REFLECTION: 'off',
  ANTHROPIC_API_KEY: '',
  GEMINI_API_KEY: '',
};
