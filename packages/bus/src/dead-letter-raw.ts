/**
 * The most characters of a rejected message a dead letter keeps. JSON escapes a character into at
 * most 6 bytes (`\u0000`), so a dead letter stays under 1 MB (NATS's default and our max_payload)
 * whatever the message held: a larger one could never be published, and the message it reports was
 * redelivered for ever.
 */
export const DEAD_LETTER_RAW_MAX = 100_000;

/** The text a dead letter keeps of `raw`: all of it, or its start and how much was cut. */
export function deadLetterRaw(raw: string): string {
  if (raw.length <= DEAD_LETTER_RAW_MAX) return raw;
  return `${raw.slice(0, DEAD_LETTER_RAW_MAX)}…[cut: ${DEAD_LETTER_RAW_MAX} of ${raw.length} characters kept]`;
}
