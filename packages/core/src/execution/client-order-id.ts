import { derivedId, derivedIds } from '@ballast/contracts';

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

const UUID_HALVES = ['a', 'b'];

/** A UUID-shaped id derived from inputs, for bus messages that must de-duplicate on replay. */
export function derivedUuid(...parts: Array<string | number>): string {
  const hex = derivedIds(parts, UUID_HALVES).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
