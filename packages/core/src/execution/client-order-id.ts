import { derivedId } from '@ballast/contracts';

/** Binance's newClientOrderId charset and length; ccxt passes the value through unchanged. */
const CLIENT_ORDER_ID = /^[.A-Za-z0-9:/_-]{1,36}$/;

export class ClientOrderIdError extends Error {
  override readonly name = 'ClientOrderIdError';
  readonly reason = 'invalid_client_order_id';
}

/**
 * The venue-side id of one slice of one intent. Derived, never random: a redelivered decision or
 * a restarted service computes the same id, so the venue and our unique constraint both refuse a
 * second order.
 */
export function clientOrderId(prefix: string, intentId: string, slice: number): string {
  const id = `${prefix}${derivedId(intentId, slice)}`;
  if (!CLIENT_ORDER_ID.test(id))
    throw new ClientOrderIdError(`client order id "${id}" is not 1-36 chars of [.A-Za-z0-9:/_-]`);
  return id;
}

// Defined with the other derived ids in contracts (the bus derives dead-letter ids with it too).
export { derivedUuid } from '@ballast/contracts';
