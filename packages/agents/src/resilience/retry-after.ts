/**
 * Retry-After as milliseconds: `retry-after-ms` (Anthropic) wins, else `retry-after` in seconds.
 * The HTTP-date form is ignored (our own backoff applies instead), as are negative or absurd values.
 */
export function retryAfterMs(header: (name: string) => string | null | undefined): number | undefined {
  const ms = Number(header('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number(header('retry-after') ?? Number.NaN);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}
