import type { OrderEvent } from '@ballast/contracts';
import { z } from 'zod';
import { roundDownToStep } from '../risk/precision';

/**
 * What the stop manager heard of an approved entry's orders while its intent waits for a position.
 * An entry is one order or a TWAP of several slices: the orders service plans the approved quantity
 * rounded down to the lot step, its slices adding up to it. An order event names one order by client
 * order id and carries that order's own quantity and fill: neither the slice's number nor the entry's
 * total, so the entry is followed order by order against the approved quantity.
 */
export const EntryOrders = z.object({
  /** An order of the entry filled, in part at least: a position comes of it. */
  filled: z.boolean(),
  /** The entry's orders that ended (refused, or cancelled), by client order id: what each left unfilled. */
  unfilled: z.record(z.string(), z.number().nonnegative()),
});
export type EntryOrders = z.infer<typeof EntryOrders>;

export const NO_ENTRY_ORDERS: EntryOrders = { filled: false, unfilled: {} };

type EntryOrderEvent = Pick<OrderEvent, 'status' | 'clientOrderId' | 'qty' | 'filledQty'>;

/** Folds one order event of the entry; the same object when it tells nothing new (a repeat, an acceptance). */
export function entryOrderSeen(orders: EntryOrders, event: EntryOrderEvent): EntryOrders {
  const filled = orders.filled || event.filledQty > 0;
  const ends =
    (event.status === 'rejected' || event.status === 'cancelled') &&
    !Object.hasOwn(orders.unfilled, event.clientOrderId);
  if (filled === orders.filled && !ends) return orders;
  if (!ends) return { ...orders, filled };
  const left = Math.max(0, event.qty - event.filledQty);
  return { filled, unfilled: { ...orders.unfilled, [event.clientOrderId]: left } };
}

/**
 * True when the entry is over with nothing filled: none of its orders filled, and those that ended
 * leave unfilled all the orders service plans for it (the approved quantity on the lot step; a refusal
 * before planning names the approved quantity itself). A slice not ended yet is a whole step at least,
 * so half a step absorbs the float noise of adding the slices up.
 */
export function entryRefused(orders: EntryOrders, entry: { qty: number; stepSize: number }): boolean {
  const ended = Object.values(orders.unfilled);
  if (orders.filled || ended.length === 0) return false;
  const unfilled = ended.reduce((sum, qty) => sum + qty, 0);
  return unfilled >= roundDownToStep(entry.qty, entry.stepSize) - entry.stepSize / 2;
}
