import type { RestFailureWait } from '@ballast/core';
import ccxt from 'ccxt';
import { httpFailureOf } from './http-failure';

/**
 * Why a REST call failed, as one closed set: `network` and `rate_limited` were retried and ran out
 * of attempts; `banned` is HTTP 418 (Binance's IP ban for ignoring 429s), never retried: every call
 * before the ban lifts prolongs it; `exchange` is any other venue or ccxt error (bad symbol, auth…),
 * never retried.
 */
export const REST_ERROR_REASONS = [
  'network',
  'rate_limited',
  'banned',
  'exchange',
  'schema_invalid',
  'no_sequence',
] as const;
export type RestErrorReason = (typeof REST_ERROR_REASONS)[number];

/** HTTP 418: the venue banned our IP (Binance, after 429s were ignored). */
export const HTTP_BANNED = 418;

export class RestError extends Error {
  override readonly name = 'RestError';

  /** How long the venue asked us to wait (its Retry-After), if it said. */
  readonly retryAfterMs: number | null;

  constructor(
    readonly reason: RestErrorReason,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number | null },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs ?? null;
  }

  /** The venue named the wait (an IP ban, a Retry-After): nothing of ours may cut it short. */
  get venueNamedWait(): boolean {
    return this.reason === 'banned' || this.retryAfterMs !== null;
  }
}

/** What a failure said about waiting (an IP ban, a Retry-After), for core's restRetryDelay; nothing for other errors. */
export function restFailureWait(err: unknown): RestFailureWait {
  const rest = err instanceof RestError ? err : undefined;
  return { banned: rest?.reason === 'banned', retryAfterMs: rest?.retryAfterMs ?? null };
}

/**
 * Transient failures worth another try: ccxt's NetworkError family (timeouts, 5xx, throttling), but
 * never a ban (ccxt calls a 418 DDoSProtection too).
 */
export function isRetryable(err: unknown): boolean {
  if (httpFailureOf(err)?.status === HTTP_BANNED) return false;
  return (
    err instanceof ccxt.NetworkError ||
    err instanceof ccxt.RateLimitExceeded ||
    err instanceof ccxt.DDoSProtection
  );
}

export function toRestError(err: unknown, what: string): RestError {
  if (err instanceof RestError) return err;
  const http = httpFailureOf(err);
  const reason: RestErrorReason =
    http?.status === HTTP_BANNED
      ? 'banned'
      : err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection
        ? 'rate_limited'
        : err instanceof ccxt.NetworkError
          ? 'network'
          : 'exchange';
  const detail = err instanceof Error ? `${err.constructor.name}: ${withoutQuery(err.message)}` : String(err);
  return new RestError(reason, `${what} failed: ${detail}`, {
    cause: err,
    retryAfterMs: http?.retryAfterMs ?? null,
  });
}

/** ccxt puts request URLs in messages; signed ones carry timestamps and signatures we keep out of logs. */
function withoutQuery(message: string): string {
  return message.replace(/(https?:\/\/[^\s?]+)\?\S*/g, '$1?…').slice(0, 500);
}
