import { z } from 'zod';
import type { Env } from './env-files';
import { loadConfig } from './load-config';

/** Where a NATS client dials when NATS_URL is unset: the local server. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

const SCHEMES = new Set(['nats:', 'tls:']);

/**
 * NATS_URL: one server or a comma-separated list of a cluster's servers, each `nats://` or `tls://` and
 * credentials allowed (`nats://user:password@nats-1:4222,nats://user:password@nats-2:4222`). Parsed into the
 * servers the client dials; messages name the entry, never its text (it may hold a password).
 */
export const natsUrlVariable = z.string().transform((text, ctx): string[] => {
  const servers = text.split(',').map((s) => s.trim());
  servers.forEach((server, i) => {
    const problem = serverProblem(server);
    if (problem === undefined) return;
    const where = servers.length === 1 ? '' : `server ${i + 1} of ${servers.length}: `;
    ctx.addIssue({ code: 'custom', message: `${where}${problem}` });
  });
  return servers;
});

function serverProblem(server: string): string | undefined {
  if (server === '') return 'empty (a stray comma?)';
  if (!URL.canParse(server)) return 'Invalid URL';
  const url = new URL(server);
  if (!SCHEMES.has(url.protocol)) return 'expected a nats:// or tls:// URL';
  if (url.hostname === '') return 'no host';
  return undefined;
}

/**
 * The servers a command dials, from NATS_URL (or NATS_URL_FILE) as a service reads it, the local server
 * when unset; a bad value throws a ConfigError naming the problem.
 */
export function natsServersFrom(env: Env = process.env): string[] {
  return loadConfig(z.object({ NATS_URL: natsUrlVariable.optional() }), env).NATS_URL ?? [DEFAULT_NATS_URL];
}
