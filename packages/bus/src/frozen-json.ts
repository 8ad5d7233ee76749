/**
 * `JSON.parse(JSON.stringify(value))`, built without the text and frozen to the leaves: what MemoryBus
 * hands every subscriber of a message (and every redelivery), so a subscriber gets exactly what it would
 * have parsed from the wire and no handler can change what another sees.
 *
 * Plain objects, arrays, strings, finite numbers, booleans and null are copied as JSON would carry them
 * (an `undefined` property is left out, `-0` becomes 0, a non-finite number or an `undefined` array item
 * becomes null). Anything JSON would have to convert in its own way (class instances, dates, functions,
 * `toJSON`, symbols, bigints) returns undefined: the caller then goes through the text.
 * `frozen-json.test.ts` proves the copy equal to the round trip.
 */
export function frozenJsonCopy(value: unknown): unknown {
  try {
    return copy(value);
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}

/** Deep-freezes what `JSON.parse` returned (its objects are plain and its own). */
export function deepFreezeParsed<T>(parsed: T): T {
  if (typeof parsed !== 'object' || parsed === null) return parsed;
  for (const key in parsed) deepFreezeParsed((parsed as Record<string, unknown>)[key]);
  return Object.freeze(parsed);
}

const NOT_PLAIN = Symbol('not plain JSON');

function copy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // `value + 0` turns -0 into 0 and leaves every other number as it is.
      return Number.isFinite(value) ? value + 0 : null;
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return null;
      return Array.isArray(value) ? copyArray(value) : copyObject(value);
    default:
      throw NOT_PLAIN;
  }
}

function copyArray(items: readonly unknown[]): readonly unknown[] {
  if (Object.getPrototypeOf(items) !== Array.prototype) throw NOT_PLAIN;
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = copy(items[i]);
    out.push(item === undefined ? null : item);
  }
  return Object.freeze(out);
}

function copyObject(fields: object): object {
  const proto = Object.getPrototypeOf(fields);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  if (typeof (fields as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  // A plain object inherits nothing enumerable, so for…in sees its own keys, in JSON's order.
  for (const key in fields) {
    // JSON.parse makes `__proto__` an own key; an assignment would set the prototype instead.
    if (key === '__proto__') throw NOT_PLAIN;
    const field = copy((fields as Record<string, unknown>)[key]);
    if (field !== undefined) out[key] = field;
  }
  return Object.freeze(out);
}
