import type { z } from 'zod';

/**
 * A zod error as one line, `path: message; …`. Path segments go through `String`: a record key can be
 * a symbol (only an in-process publisher can send one), which `join` cannot convert and would throw a
 * TypeError where the caller means to throw a typed BusError; it reads `Symbol(name)` instead.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
