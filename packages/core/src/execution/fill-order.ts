import type { Fill } from '@ballast/contracts';

type Ordered = Pick<Fill, 'time' | 'tradeId'>;

/**
 * Fills in the order they happened, for a sort: by time, then (the same millisecond) by the venue's
 * trade sequence (tradeSequence), fills whose id carries none after those that do; otherwise as given
 * (the sort is stable). The live position fold takes a market's fills as they come; folded again
 * order by order instead, an exit that came between two slices of an entry moves after both.
 */
export function compareFillOrder(a: Ordered, b: Ordered): number {
  if (a.time !== b.time) return a.time - b.time;
  const sa = tradeSequence(a.tradeId);
  const sb = tradeSequence(b.tradeId);
  if (sa === undefined || sb === undefined) return Number(sa === undefined) - Number(sb === undefined);
  return sa - sb;
}

/**
 * The number a venue numbers its trades by, in the order they happened on one market: Binance's trade
 * id is that number; the paper venue's is `<venueOrderId>-<n>`, n counted venue-wide. Undefined for an
 * id that ends in no number (a reconciliation adjustment's).
 */
export function tradeSequence(tradeId: string): number | undefined {
  const match = /(?:^|-)(\d+)$/.exec(tradeId);
  return match ? Number(match[1]) : undefined;
}
