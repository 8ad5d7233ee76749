/**
 * Why a database operation failed, as one closed set:
 * - `unsupported_url`: the URL is not postgres:// or postgresql://
 * - `unreachable`: no server answered (refused, unknown host, timeout), or one answered not ready yet (57P03)
 * - `auth_failed`: the server refused the credentials
 * - `database_missing`: the server has no database of that name
 * - `connection_failed`: the server answered but the connection failed for another reason
 * - `migration_failed`: a migration (or the migrator's own bookkeeping) failed
 * - `invalid_value`: a value cannot be stored (NaN, Infinity, not JSON-serialisable)
 * - `invalid_state`: a stored value does not match the schema the caller expects
 */
export type DbErrorReason =
  | 'unsupported_url'
  | 'unreachable'
  | 'auth_failed'
  | 'database_missing'
  | 'connection_failed'
  | 'migration_failed'
  | 'invalid_value'
  | 'invalid_state';

/** Messages never contain a password: callers build them from redacted URLs. */
export class DbError extends Error {
  override readonly name = 'DbError';

  constructor(
    readonly reason: DbErrorReason,
    message: string,
  ) {
    super(message);
  }
}
