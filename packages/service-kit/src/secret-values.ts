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
    values.push(...urlPasswords(value));
  }
  return values;
}

/** A URL's password as written (percent-encoded) and as decoded: either may reach a log. */
function urlPasswords(value: string): string[] {
  if (!value.includes('://')) return [];
  try {
    const password = new URL(value).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}
