import { REDACTED } from './redactor';
import { SECRET_FIELD } from './secret-names';

const MAX_DEPTH = 12;

/**
 * Copies a log object with every secret-named field censored at any depth. Errors become plain
 * objects here (pino's own serializer would run after us and miss their nested fields).
 */
export function censorFields(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[Circular or too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => censorFields(item, depth + 1, seen));
  const json = jsonForm(value);
  if (json !== value) return censorFields(json, depth + 1, seen);
  const source = value instanceof Error ? errorFields(value) : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) {
    out[key] = SECRET_FIELD.test(key) ? REDACTED : censorFields(field, depth + 1, seen);
  }
  return out;
}

/** Dates, URLs and the like log as their JSON form rather than as empty objects. */
function jsonForm(value: object): unknown {
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  return typeof toJSON === 'function' && !(value instanceof Error) ? toJSON.call(value) : value;
}

function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [key, field] of Object.entries(error)) fields[key] = field;
  if (error.cause !== undefined) fields.cause = error.cause;
  return fields;
}
