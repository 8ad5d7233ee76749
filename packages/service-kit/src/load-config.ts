import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';
import { type Env, resolveFileVariables } from './env-files';
import { createRedactor, type Redactor } from './redactor';
import { secretValues } from './secret-values';

/** Configuration is always an object of environment variables. */
export type ConfigSchema = z.ZodObject;

export interface ConfigOptions {
  /** Extra variable names to treat as secrets (beyond *_KEY, *_SECRET, *_TOKEN, *_PASSWORD, *_PASS). */
  secret?: readonly string[];
}

export interface LoadedConfig<S extends ConfigSchema> {
  config: z.output<S>;
  /** Secret values found in the environment, to hand to the logger's redactor. */
  secrets: string[];
}

/** Parses the whole environment at once; throws a `ConfigError` listing every problem. */
export function loadConfig<S extends ConfigSchema>(
  schema: S,
  env: Env = process.env,
  options: ConfigOptions = {},
): z.output<S> {
  return readConfig(schema, env, options).config;
}

/** Like `loadConfig`, also returning the secret values so logs can redact them. */
export function readConfig<S extends ConfigSchema>(
  schema: S,
  env: Env = process.env,
  options: ConfigOptions = {},
): LoadedConfig<S> {
  const names = Object.keys(schema.shape);
  const resolved = resolveFileVariables(env, names);
  const listed = new Set([...(options.secret ?? []), ...resolved.fromFiles]);
  const secrets = secretValues(resolved.env, names, listed);
  const parsed = schema.safeParse(pick(resolved.env, names));
  const problems = [...resolved.problems];
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => toProblem(i, resolved.env)));
  if (problems.length > 0) {
    const redact = createRedactor(secrets);
    throw new ConfigError(problems.map((p) => redactProblem(p, redact)));
  }
  return { config: parsed.data as z.output<S>, secrets };
}

/** Only declared variables reach the schema, so unrelated env never influences parsing. */
function pick(env: Env, names: readonly string[]): Env {
  const out: Env = {};
  for (const name of names) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

function toProblem(issue: z.core.$ZodIssue, env: Env): ConfigProblem {
  const [head, ...rest] = issue.path.map(String);
  const variable = [head ?? '(root)', ...rest].join('.');
  const missing = head !== undefined && rest.length === 0 && env[head] === undefined;
  return { variable, reason: missing ? 'missing' : 'invalid', expected: issue.message };
}

// zod messages describe expectations, not input; a custom refine message could still echo a value.
function redactProblem(problem: ConfigProblem, redact: Redactor): ConfigProblem {
  return { ...problem, expected: redact(problem.expected) };
}
