import { type Schema, SchemaType } from '@google/generative-ai';
import type { JsonSchema } from '../../provider';

/**
 * Gemini's response schema is an OpenAPI subset: no `$schema`, no `additionalProperties`, no numeric
 * bounds. Bounds move into the description so the model still sees them; zod enforces them on the reply.
 */
export function toGeminiSchema(schema: JsonSchema): Schema {
  const description = boundsDescription(schema);
  const base = description === undefined ? {} : { description };
  switch (schema.type) {
    case 'object': {
      const properties = record(schema.properties);
      return {
        ...base,
        type: SchemaType.OBJECT,
        properties: Object.fromEntries(
          Object.entries(properties).map(([key, value]) => [key, toGeminiSchema(record(value))]),
        ),
        required: Array.isArray(schema.required) ? schema.required.map(String) : [],
      };
    }
    case 'array':
      return { ...base, type: SchemaType.ARRAY, items: toGeminiSchema(record(schema.items)) };
    case 'string':
      return Array.isArray(schema.enum)
        ? { ...base, type: SchemaType.STRING, format: 'enum', enum: schema.enum.map(String) }
        : { ...base, type: SchemaType.STRING };
    case 'number':
      return { ...base, type: SchemaType.NUMBER };
    case 'integer':
      return { ...base, type: SchemaType.INTEGER };
    case 'boolean':
      return { ...base, type: SchemaType.BOOLEAN };
    default:
      throw new Error(`unsupported JSON schema type for Gemini: ${String(schema.type)}`);
  }
}

const BOUND_WORDS: ReadonlyArray<readonly [string, string]> = [
  ['minimum', 'at least'],
  ['exclusiveMinimum', 'greater than'],
  ['maximum', 'at most'],
  ['exclusiveMaximum', 'less than'],
  ['maxLength', 'at most this many characters:'],
  ['maxItems', 'at most this many items:'],
];

function boundsDescription(schema: JsonSchema): string | undefined {
  const parts = BOUND_WORDS.filter(([key]) => typeof schema[key] === 'number').map(
    ([key, words]) => `${words} ${String(schema[key])}`,
  );
  return parts.length === 0 ? undefined : parts.join('; ');
}

function record(value: unknown): JsonSchema {
  return typeof value === 'object' && value !== null ? (value as JsonSchema) : {};
}
