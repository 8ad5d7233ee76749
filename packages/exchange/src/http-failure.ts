import { type Clock, parseRetryAfter } from '@ballast/contracts';
import type { Exchange } from 'ccxt';

/**
 * The HTTP side of a failed ccxt call, which ccxt's error classes leave out: its status (418, Binance's
 * IP ban, and 429 are both DDoSProtection to ccxt) and how long the venue asked us to wait.
 */
export interface HttpFailure {
  status: number;
  /** From the `Retry-After` header (seconds, or an HTTP-date read against the clock); null when absent. */
  retryAfterMs: number | null;
}

const HTTP_FAILURE = Symbol('ballast.httpFailure');

/** The HTTP failure recorded on an error thrown by an exchange `recordHttpFailures` was applied to. */
export function httpFailureOf(err: unknown): HttpFailure | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as { [HTTP_FAILURE]?: HttpFailure })[HTTP_FAILURE];
}

/** Marks an error with the response that caused it (exported for venue doubles in tests). */
export function withHttpFailure<E extends object>(err: E, failure: HttpFailure): E {
  Object.defineProperty(err, HTTP_FAILURE, { value: failure, enumerable: false });
  return err;
}

/**
 * Every error ccxt raises from an HTTP response carries that response's status and Retry-After
 * afterwards (see httpFailureOf). Recorded on the error itself, not on the exchange, because
 * concurrent calls share one exchange. An HTTP-date Retry-After needs `clock`; without one only
 * delay-seconds are.
 */
export function recordHttpFailures(exchange: Exchange, clock?: Clock): void {
  const handle = exchange.handleRestResponse.bind(exchange);
  exchange.handleRestResponse = async (response: { status: number }, ...rest: unknown[]) => {
    try {
      return await handle(response, ...(rest as [string]));
    } catch (err) {
      if (typeof err !== 'object' || err === null) throw err;
      const headers: Record<string, string | undefined> = exchange.getResponseHeaders(response);
      throw withHttpFailure(err, {
        status: response.status,
        retryAfterMs: retryAfterOf(headers['Retry-After'], clock),
      });
    }
  };
}

/** Without a clock an HTTP-date cannot become a wait: then only delay-seconds are read. */
function retryAfterOf(value: string | undefined, clock: Clock | undefined): number | null {
  if (clock) return parseRetryAfter(value, clock.now());
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) * 1_000 : null;
}
