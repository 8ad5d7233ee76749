const MASK = '***';

/** Schemes whose URL userinfo without a password is a token (NATS). */
const TOKEN_SCHEMES = ['nats:', 'tls:'];

/** Query parameters that carry a password: libpq and pg read them as the connection's own. */
const SECRET_PARAMS = ['password', 'sslpassword'];

/** The URL with its passwords masked; an unparseable URL is hidden whole, since it may hold one. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    for (const name of SECRET_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, MASK);
    return parsed.toString();
  } catch {
    return '<unparseable database url>';
  }
}

/**
 * The passwords a URL carries, in the userinfo (a NATS URL's token too) or as a `?password=` parameter,
 * each as written (percent-encoded) and decoded: either may reach a log. Empty for an unparseable URL.
 */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const secrets = new Set<string>();
  // NATS takes a user with no password (nats://token@host) as an authentication token.
  const token = TOKEN_SCHEMES.includes(parsed.protocol) && !parsed.password ? parsed.username : '';
  for (const userinfo of [parsed.password, token]) {
    if (!userinfo) continue;
    secrets.add(userinfo);
    secrets.add(safeDecode(userinfo));
  }
  for (const pair of parsed.search.slice(1).split('&')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const [name, raw] = [pair.slice(0, at), pair.slice(at + 1)];
    if (!SECRET_PARAMS.includes(safeDecode(name)) || !raw) continue;
    secrets.add(raw);
    secrets.add(safeDecode(raw));
    // As a query string is read (pg does): '+' is a space.
    secrets.add(safeDecode(raw.replaceAll('+', ' ')));
  }
  return [...secrets].filter((s) => s.length > 0);
}

/** Masks the URL's passwords wherever they appear in `text` (raw or percent-decoded), e.g. a driver message. */
export function redactSecretsIn(text: string, url: string): string {
  try {
    new URL(url);
  } catch {
    return text.split(url).join(MASK);
  }
  // Longest first, so a password containing a shorter one is replaced whole.
  const forms = urlSecrets(url).sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of forms) out = out.split(form).join(MASK);
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
