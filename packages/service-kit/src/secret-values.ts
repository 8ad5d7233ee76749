import { urlSecrets } from '@ballast/db';
import type { Env } from './env-files';
import { isSecretVariable } from './secret-names';

/**
 * The secret values present in a configuration environment, for the log redactor: values of
 * secret-named, listed or file-supplied variables, and the passwords inside any URL.
 */
export function secretValues(env: Env, names: readonly string[], listed: ReadonlySet<string>): string[] {
  const values: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (isSecretVariable(name, listed)) values.push(value);
    if (value.includes('://')) values.push(...urlPasswords(value));
  }
  return values;
}

/**
 * The passwords inside a URL (userinfo or `?password=`), as written and decoded: either may reach a
 * log. A value may list several URLs, comma-separated (NATS_URL naming a cluster's servers).
 */
function urlPasswords(value: string): string[] {
  const entries = value.includes(',') ? value.split(',').map((e) => e.trim()) : [];
  return [...new Set([value, ...entries].flatMap(urlSecrets))];
}
