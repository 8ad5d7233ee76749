/**
 * A model's reply with U+0000 taken out of every string: PostgreSQL stores no NUL in text or jsonb, so
 * one in a verdict's reasons failed its audit row and the stored decision, and each redelivery asked
 * (and paid) the model again. Nothing a verdict says needs the character.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string')
    return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return value.map(withoutNul) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  return value;
}
