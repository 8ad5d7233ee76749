import { DbError, type DbErrorReason } from './db-error';
import { redactSecretsIn, redactUrl } from './redact-url';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
]);
/**
 * SQLSTATE 57P03 cannot_connect_now: the server answered that it is starting up, shutting down or in
 * recovery (a TimescaleDB container between its init scripts and its real start). That heals by
 * itself, so it is waited for like a server that does not answer yet.
 */
const NOT_READY_CODES = new Set(['57P03']);
/** SQLSTATE classes 28 (invalid authorization) and 3D000 (invalid catalog name). */
const AUTH_CODES = new Set(['28P01', '28000']);
const MISSING_DATABASE = '3D000';

/**
 * A driver's connection error as a DbError whose message names the redacted URL and the cause.
 * The driver's own text is scrubbed of the password too, in case a future driver echoes it.
 */
export function describeConnectionError(err: unknown, url: string): DbError {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = reasonFor(typeof code === 'string' ? code : undefined, err);
  const detail = redactSecretsIn(err instanceof Error ? err.message : String(err), url);
  return new DbError(reason, `cannot connect to ${redactUrl(url)}: ${detail || reason}`);
}

function reasonFor(code: string | undefined, err: unknown): DbErrorReason {
  if (code !== undefined && (UNREACHABLE_CODES.has(code) || NOT_READY_CODES.has(code))) return 'unreachable';
  if (code !== undefined && AUTH_CODES.has(code)) return 'auth_failed';
  if (code === MISSING_DATABASE) return 'database_missing';
  // pg reports its own connect timeout as a plain Error without a code.
  if (err instanceof Error && /timeout/i.test(err.message)) return 'unreachable';
  return 'connection_failed';
}
