import { parseRetryAfter } from '@ballast/contracts';

/**
 * Retry-After as milliseconds from `now`: `retry-after-ms` (Anthropic) when it holds a number, else
 * `retry-after` as delay-seconds or an HTTP-date (a date already past is no wait). A blank or unreadable
 * header counts as absent, so an empty `retry-after-ms` never hides a valid `retry-after`.
 */
export function retryAfterMs(
  header: (name: string) => string | null | undefined,
  now: number,
): number | undefined {
  const ms = header('retry-after-ms')?.trim();
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  return parseRetryAfter(header('retry-after') ?? undefined, now) ?? undefined;
}
