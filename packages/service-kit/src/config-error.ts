/** Why one variable was rejected; a closed set so callers and tests can match on it. */
export type ConfigProblemReason = 'missing' | 'invalid' | 'unreadable_file' | 'conflicting_file';

export interface ConfigProblem {
  variable: string;
  reason: ConfigProblemReason;
  /** What the variable should hold; never the value it holds. */
  expected: string;
}

/** Configuration rejected at start; the message lists every problem, one per line, and no values. */
export class ConfigError extends Error {
  readonly reason = 'invalid_config';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  const lines = problems.map((p) => `  ${p.variable}: ${p.reason} (${p.expected})`);
  return [`invalid configuration (${problems.length} ${noun}):`, ...lines].join('\n');
}
