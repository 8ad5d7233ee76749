import { symbolAssets } from '@ballast/contracts';
import { type Balances, type FeeSchedule, feeFor, roundQuote, subtractLots } from '@ballast/core';
import type { VenueOrder } from './order-venue';

/** Funds a resting order holds back from every other order until it fills or is cancelled. */
export type Lock = { asset: string; amount: number };

/**
 * What a resting paper limit holds back: all its fill will take, as Binance spot locks it (a buy its
 * quote, a sell its base). A buy's lock includes the maker fee, which paper charges in the quote asset,
 * so the fill always finds its funds. A market order never rests: no lock.
 */
export function restingLock(
  order: Pick<VenueOrder, 'symbol' | 'side' | 'qty' | 'filledQty' | 'price'>,
  fees: FeeSchedule,
): Lock | undefined {
  if (order.price === null) return undefined;
  const { base, quote } = symbolAssets(order.symbol);
  const remaining = subtractLots(order.qty, order.filledQty);
  if (order.side === 'sell') return { asset: base, amount: remaining };
  const notional = order.price * remaining;
  return { asset: quote, amount: roundQuote(notional + feeFor(notional, 'maker', fees)) };
}

/** The balances an order may spend: the totals less what the locks hold back. */
export function freeBalances(totals: Balances, locks: readonly Lock[]): Balances {
  return shift(totals, locks, -1);
}

/** The totals again from free balances: what the locks hold back added back. */
export function totalBalances(free: Balances, locks: readonly Lock[]): Balances {
  return shift(free, locks, 1);
}

function shift(balances: Balances, locks: readonly Lock[], sign: 1 | -1): Balances {
  const next: Record<string, number> = { ...balances };
  for (const { asset, amount } of locks) next[asset] = roundQuote((next[asset] ?? 0) + sign * amount);
  return next;
}
