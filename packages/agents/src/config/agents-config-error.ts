/**
 * One reason the agents' configuration cannot run: the variable to change and what it should hold,
 * never its value (the shape of service-kit's ConfigProblem, so a service reports it as one).
 */
export interface AgentsConfigProblem {
  readonly variable: string;
  readonly reason: 'missing' | 'invalid';
  readonly expected: string;
}

/**
 * Thrown at start when the agents' configuration cannot be run as written (a provider chosen without
 * its key, a paid model without a price): one line per problem, naming variables, never their values.
 */
export class AgentsConfigError extends Error {
  override readonly name = 'AgentsConfigError';
  constructor(readonly problems: readonly AgentsConfigProblem[]) {
    super(`agents configuration refused:\n${problems.map((p) => `- ${p.expected}`).join('\n')}`);
  }
}
