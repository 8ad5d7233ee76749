/** Servers to dial and the credentials found in their URLs. */
export interface NatsTarget {
  readonly servers: string[];
  readonly user?: string;
  readonly pass?: string;
}

/**
 * Reads `nats://user:pass@host:4222` (one URL, a comma list or an array) into credential-free servers plus
 * user and password: nats.js ignores credentials inside a URL. The servers are also what errors may name.
 */
export function natsTarget(servers: string | readonly string[]): NatsTarget {
  const list = (typeof servers === 'string' ? servers.split(',') : [...servers]).map((s) => s.trim());
  let user: string | undefined;
  let pass: string | undefined;
  const plain = list.filter(Boolean).map((entry) => {
    if (!entry.includes('://')) return entry;
    const url = new URL(entry);
    if (url.username) user = decodeURIComponent(url.username);
    if (url.password) pass = decodeURIComponent(url.password);
    return `${url.protocol}//${url.host}`;
  });
  return { servers: plain, ...(user === undefined ? {} : { user }), ...(pass === undefined ? {} : { pass }) };
}
