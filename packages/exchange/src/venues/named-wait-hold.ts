import type { Clock } from '@ballast/contracts';
import type { Exchange } from 'ccxt';
import { realSleep, type Sleep } from '../rate-limiter';
import { DEFAULT_BAN_WAIT_MS, VenueWait } from '../venue-wait';

/** A wait the venue named at most this long is slept out; a longer one refuses the call at once. */
const MAX_SLEEP_MS = 1_000;

const held = new WeakSet<Exchange>();

/**
 * Every request of an order or stop venue's ccxt instance waits for what the venue last named (a 429's
 * Retry-After, a 418 IP ban): each request sent before a Binance ban lifts prolongs it (2 minutes up
 * to 3 days), and the ban is the IP's, so market-data on the same machine loses its snapshots too. A
 * wait of up to a second is slept out; a longer one refuses the call unsent with the venue's reason
 * (`RestError` banned or rate_limited, its time left), for the caller's own backoff. Applied once per
 * instance (the stop venue shares its instance with an order venue).
 */
export function holdNamedWaits(
  exchange: Exchange,
  deps: { venue: string; clock: Clock; sleep?: Sleep },
): void {
  if (held.has(exchange)) return;
  held.add(exchange);
  const wait = new VenueWait({
    venue: deps.venue,
    clock: deps.clock,
    sleep: deps.sleep ?? realSleep,
    maxSleepMs: MAX_SLEEP_MS,
    banWaitMs: DEFAULT_BAN_WAIT_MS,
  });
  const fetch = exchange.fetch.bind(exchange);
  exchange.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
    await wait.pass(`${method} ${new URL(url).pathname}`);
    try {
      return await fetch(url, method, headers, body);
    } catch (err) {
      wait.note(err);
      throw err;
    }
  };
}
