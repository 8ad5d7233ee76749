/**
 * The contracts' primitive rules (`packages/contracts/src/primitives.ts`) as plain predicates, for the
 * hand-written payload checks that must accept exactly what zod accepts (zod 4 numbers refuse NaN and
 * ±Infinity; `positive` refuses -0, `nonnegative` keeps it).
 */

// The contracts' ExchangeId and SymbolId patterns.
const EXCHANGE = /^[a-z][a-z0-9]*$/;
const SYMBOL = /^[A-Z0-9]+-[A-Z0-9]+$/;

export type Fields = Record<string, unknown>;

/** What zod's `z.object` takes for an object. */
export const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isPositive = (v: unknown): v is number => isNumber(v) && v > 0;
export const isNonNegative = (v: unknown): v is number => isNumber(v) && v >= 0;
export const isExchange = (v: unknown): v is string => typeof v === 'string' && EXCHANGE.test(v);
export const isSymbol = (v: unknown): v is string => typeof v === 'string' && SYMBOL.test(v);

/** A membership test for a zod enum's options. */
export function oneOf<T extends string>(options: readonly T[]): (v: unknown) => v is T {
  const set = new Set<unknown>(options);
  return (v: unknown): v is T => set.has(v);
}
