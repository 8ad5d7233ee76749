import ccxt from 'ccxt';

/**
 * Why a REST call failed, as one closed set: `network` and `rate_limited` were retried and ran out
 * of attempts; `exchange` is any other venue or ccxt error (bad symbol, auth…), never retried.
 */
export type RestErrorReason = 'network' | 'rate_limited' | 'exchange' | 'schema_invalid' | 'no_sequence';

export class RestError extends Error {
  override readonly name = 'RestError';

  constructor(
    readonly reason: RestErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Transient failures worth another try: ccxt's NetworkError family (timeouts, 5xx, throttling). */
export function isRetryable(err: unknown): boolean {
  return (
    err instanceof ccxt.NetworkError ||
    err instanceof ccxt.RateLimitExceeded ||
    err instanceof ccxt.DDoSProtection
  );
}

export function toRestError(err: unknown, what: string): RestError {
  if (err instanceof RestError) return err;
  const reason: RestErrorReason =
    err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection
      ? 'rate_limited'
      : err instanceof ccxt.NetworkError
        ? 'network'
        : 'exchange';
  const detail = err instanceof Error ? `${err.constructor.name}: ${withoutQuery(err.message)}` : String(err);
  return new RestError(reason, `${what} failed: ${detail}`, { cause: err });
}

/** ccxt puts request URLs in messages; signed ones carry timestamps and signatures we keep out of logs. */
function withoutQuery(message: string): string {
  return message.replace(/(https?:\/\/[^\s?]+)\?\S*/g, '$1?…').slice(0, 500);
}
