import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema, type ObjectSchema, serviceConfigSchemas } from './config-schemas';

// .env.example is where an operator learns every setting: each variable a service's config schema reads
// is there, set or commented out, with its default (a `.default(...)` in the schema) and a comment above it.
const SCHEMAS: Record<string, ObjectSchema> = { 'every service': baseConfigSchema, ...serviceConfigSchemas };

const lines = readFileSync(join(import.meta.dirname, '..', '..', '.env.example'), 'utf8').split('\n');

const VARIABLE = /^(# )?[A-Z][A-Z0-9_]*=/;

/**
 * The `NAME=value` line of a variable, set or commented out, and the comment over it: the comment lines
 * above it, or above the run of variables it belongs to.
 */
function documented(name: string): { value: string; commented: boolean; comment: string } | undefined {
  const i = lines.findIndex((l) => l.startsWith(`${name}=`) || l.startsWith(`# ${name}=`));
  if (i < 0) return undefined;
  let j = i - 1;
  while (j >= 0 && VARIABLE.test(lines[j]!)) j--;
  const comment: string[] = [];
  for (; j >= 0 && lines[j]!.startsWith('#') && !VARIABLE.test(lines[j]!); j--) comment.unshift(lines[j]!);
  const line = lines[i]!;
  return {
    value: line.slice(line.indexOf('=') + 1),
    commented: line.startsWith('#'),
    comment: comment.join('\n'),
  };
}

/** The schema's default for a variable as it is written in the environment, if it has one. */
function defaultOf(schema: unknown): string | undefined {
  let def = (schema as { _zod?: { def: Record<string, unknown> } })._zod?.def;
  while (def) {
    if (def.type === 'default' || def.type === 'prefault') {
      const value = def.defaultValue;
      if (Array.isArray(value)) return value.join(',');
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    const inner = (def.innerType ?? def.in) as { _zod?: { def: Record<string, unknown> } } | undefined;
    def = inner?._zod?.def;
  }
  return undefined;
}

describe('.env.example', () => {
  for (const [service, schema] of Object.entries(SCHEMAS))
    it(`lists every variable of ${service}'s config schema with its default and a comment`, () => {
      const keys = Object.keys(schema.shape);
      expect(keys.length).toBeGreaterThan(0);
      const missing = keys.filter((k) => documented(k) === undefined);
      expect(missing, 'variables missing from .env.example').toEqual([]);
      for (const key of keys) {
        const { value, commented, comment } = documented(key)!;
        expect(comment, `${key}: a comment above it (or above its group)`).not.toBe('');
        const fallback = defaultOf(schema.shape[key]);
        // A commented-out line shows the default; one showing an example says what the default is.
        if (commented && fallback !== undefined && value !== fallback)
          expect(comment, `${key}=${value} is not its default ${fallback}: say it`).toMatch(/default|unset/i);
      }
    });
});
