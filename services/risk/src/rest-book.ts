import { type BookDepth, bookDepth } from '@ballast/core';
import type { OrderVenue } from '@ballast/exchange';

/**
 * Levels asked a side: as many as market-data's snapshots hold (DEPTH_SNAPSHOT_LIMIT), so the depth
 * within the liquidity band is what the streamed book would show. A shallow read of a dense book
 * would reach only a few ticks from the touch and under-size the entry.
 */
const REST_LEVELS = 1_000;

export type RestBookRead = { ok: true; book: BookDepth } | { ok: false; reason: string };

/**
 * A market's public REST depth from the venue, given up after `timeoutMs`. The venue cancels its
 * request at that bound too, so a venue that does not answer leaves no request running; the deadline
 * here also bounds what comes before the request (the venue's markets, read once). A failure is a
 * value: its reason goes into the entry's denial.
 */
export async function readRestBook(
  venue: Pick<OrderVenue, 'orderBook'>,
  symbol: string,
  timeoutMs: number,
): Promise<RestBookRead> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const book = await Promise.race([venue.orderBook(symbol, REST_LEVELS, { timeoutMs }), deadline]);
    return { ok: true, book: bookDepth(book) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
