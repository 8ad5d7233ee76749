/** Environment variable names whose values are secrets, whatever the schema says. */
const SECRET_VARIABLE = /(_KEY|_SECRET|_TOKEN|_PASSWORD|_PASS)$/i;

/** Object keys whose values are censored in logs at any depth. */
export const SECRET_FIELD = /(api[-_]?key|secret|token|password|passphrase|authorization|cookie|signature)/i;

export function isSecretVariable(name: string, listed: ReadonlySet<string> = new Set()): boolean {
  return listed.has(name) || SECRET_VARIABLE.test(name);
}
