/** The session cookie's name: `__Host-` when Secure, so no subdomain or path can overwrite it. */
export const sessionCookieName = (secure: boolean): string =>
  secure ? '__Host-ballast_session' : 'ballast_session';

/** Reads one cookie from a Cookie header; values we set are base64url, so no decoding is needed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(
  name: string,
  value: string,
  options: { secure: boolean; maxAgeMs: number },
): string {
  const attributes = [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(options.maxAgeMs / 1000)}`,
  ];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedCookie(name: string, secure: boolean): string {
  return sessionCookie(name, '', { secure, maxAgeMs: 0 });
}
