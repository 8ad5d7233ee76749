import { symbolAssets } from '@ballast/contracts';
import {
  type Balances,
  type FeeSchedule,
  feeInBase,
  restingBuyFee,
  roundQuote,
  subtractLots,
  sumLots,
} from '@ballast/core';
import type { VenueOrder } from './order-venue';
import type { StopOrder } from './stop-venue';

/** Funds a resting order holds back from every other order until it fills or is cancelled. */
export type Lock = { asset: string; amount: number };

/**
 * What a resting paper limit holds back: all its fill will take, as Binance spot locks it (a buy its
 * quote, a sell its base). A buy's lock includes the maker fee when the schedule charges it in the
 * quote asset, so the fill always finds its funds; a fee taken from the base received costs no quote.
 * That fee is what its fills will be charged (core restingBuyFee, counting what it filled as maker
 * before), so however a print splits it, the fills spend exactly what it locked.
 * A market order never rests: no lock.
 */
export function restingLock(
  order: Pick<VenueOrder, 'symbol' | 'side' | 'qty' | 'filledQty' | 'price' | 'fills'>,
  fees: FeeSchedule,
): Lock | undefined {
  if (order.price === null) return undefined;
  const { base, quote } = symbolAssets(order.symbol);
  const remaining = subtractLots(order.qty, order.filledQty);
  if (order.side === 'sell') return { asset: base, amount: remaining };
  const notional = order.price * remaining;
  const fee = feeInBase('buy', fees) ? 0 : restingBuyFee(order.price, makerFilled(order), remaining, fees);
  return { asset: quote, amount: roundQuote(notional + fee) };
}

/** What an order filled as maker: a paper order's resting fills, all at its own price. */
export function makerFilled(order: Pick<VenueOrder, 'fills'>): number {
  return sumLots(order.fills.filter((f) => f.liquidity === 'maker').map((f) => f.qty));
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

/**
 * What a resting paper stop holds back, as a Binance spot stop-limit does from placement until it is
 * done: a sell stop its base, a buy stop its quote at its limit.
 */
export function stopLock(
  stop: Pick<StopOrder, 'symbol' | 'side' | 'qty' | 'filledQty'> & { limitPrice: number },
): Lock {
  const { base, quote } = symbolAssets(stop.symbol);
  const remaining = subtractLots(stop.qty, stop.filledQty ?? 0);
  if (stop.side === 'sell') return { asset: base, amount: remaining };
  return { asset: quote, amount: roundQuote(remaining * stop.limitPrice) };
}
