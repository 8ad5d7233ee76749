/** Replaces secrets inside free text: error messages, stack traces, log lines. */
export type Redactor = (text: string) => string;

export const REDACTED = '[REDACTED]';

// scheme://user:password@host — the password part, wherever a URL appears inside text.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"'\\]*:)([^\s@/"'\\]+)@/gi;
// ...?password=secret&... — libpq and pg take a connection password from the query string too.
const QUERY_PASSWORD = /([?&](?:ssl)?password=)([^&\s#"'\\]+)/gi;

// nats://token@host — NATS takes a user with no password as an authentication token.
const NATS_TOKEN = /(\b(?:nats|tls):\/\/)([^\s:/?#@"'\\]+)@/gi;

export function redactUrlPasswords(text: string): string {
  return text
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(QUERY_PASSWORD, `$1${REDACTED}`)
    .replace(NATS_TOKEN, `$1${REDACTED}@`);
}

/**
 * Builds a redactor for known secret values. Each value is also matched in the forms it takes
 * once written into JSON or a URL, because that is how it usually reaches a log line.
 */
export function createRedactor(secrets: Iterable<string> = []): Redactor {
  const needles = secretForms(secrets);
  return (text) => {
    let out = redactUrlPasswords(text);
    for (const needle of needles) out = out.split(needle).join(REDACTED);
    return out;
  };
}

function secretForms(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret containing a shorter one is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}
