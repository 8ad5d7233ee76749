import { DbError } from './db-error';

/** JSON text for a jsonb column; `what` names the value in the error (cycles, BigInt, undefined). */
export function toJsonText(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DbError('invalid_value', `${what} is not JSON-serialisable: ${why}`);
  }
  if (json === undefined) throw new DbError('invalid_value', `${what} is not JSON-serialisable`);
  return json;
}
