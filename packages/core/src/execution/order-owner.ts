import { derivedId } from '@ballast/contracts';

/**
 * Whose order on the venue this is, read from its client order id. The orders and stops services
 * trade one account: the venue lists the stops service's protective stops among the open orders, and
 * the kill switch (or cancel_all) must not cancel them: the positions they protect stay open.
 * - `stops`: a protective stop, `<prefix>s<derived id>` (the stops service's `place()`);
 * - `orders`: any other order under the prefix: the orders service's slices (`<prefix><derived id>`,
 *   see clientOrderId) and the orders it sends for others under their ids (the stops service's
 *   closes, `<prefix>x<derived id>`; an operator's command);
 * - `other`: not under the prefix (an order placed by hand on the venue, another program's).
 * With an empty prefix every order but a stop reads as the orders service's.
 */
export type OrderOwner = 'orders' | 'stops' | 'other';

/** What follows the prefix on a protective stop's client order id, before its derived id. */
export const STOP_ORDER_MARK = 's';

/** The client order id of a position's protective stop, the `seq`th the stops service placed for it. */
export function stopOrderId(prefix: string, positionId: string, seq: number): string {
  return `${prefix}${STOP_ORDER_MARK}${derivedId(positionId, seq)}`;
}

/** A derived id (contracts' derivedId): 16 lowercase hex digits. */
const DERIVED_ID = /^[0-9a-f]{16}$/;

export function orderOwner(clientOrderId: string, prefix: string): OrderOwner {
  if (!clientOrderId.startsWith(prefix)) return 'other';
  const rest = clientOrderId.slice(prefix.length);
  const stop = rest.startsWith(STOP_ORDER_MARK) && DERIVED_ID.test(rest.slice(STOP_ORDER_MARK.length));
  return stop ? 'stops' : 'orders';
}
