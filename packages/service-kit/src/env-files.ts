import { readFileSync } from 'node:fs';
import type { ConfigProblem } from './config-error';

export type Env = Record<string, string | undefined>;

export interface ResolvedEnv {
  env: Env;
  /** Variables whose value came from a file: treated as secrets whatever their name. */
  fromFiles: string[];
  problems: ConfigProblem[];
}

/**
 * Docker-secrets style: `NAME_FILE=/run/secrets/x` supplies NAME from that file's contents
 * (one trailing newline dropped). Only names the schema declares are looked up.
 */
export function resolveFileVariables(env: Env, names: readonly string[]): ResolvedEnv {
  const resolved: Env = { ...env };
  const fromFiles: string[] = [];
  const problems: ConfigProblem[] = [];
  for (const name of names) {
    const path = env[`${name}_FILE`];
    if (path === undefined) continue;
    if (env[name] !== undefined) {
      problems.push({
        variable: name,
        reason: 'conflicting_file',
        expected: `either ${name} or ${name}_FILE`,
      });
      continue;
    }
    const value = readSecretFile(path);
    if (value === undefined) {
      problems.push({
        variable: `${name}_FILE`,
        reason: 'unreadable_file',
        expected: `a readable file at ${path}`,
      });
      continue;
    }
    resolved[name] = value;
    fromFiles.push(name);
  }
  return { env: resolved, fromFiles, problems };
}

function readSecretFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch {
    return undefined;
  }
}
