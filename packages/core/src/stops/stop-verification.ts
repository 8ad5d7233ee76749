import type { OrderSide } from '@ballast/contracts';

/** A stop order as read back from the venue. */
export interface ObservedStop {
  status: 'open' | 'triggered' | 'cancelled' | 'rejected';
  side: OrderSide;
  qty: number;
  stopPrice: number;
}

export type StopMismatch = 'missing' | 'not_open' | 'side' | 'qty' | 'price';

/** Checks a read-back stop against what was placed: open, same side, qty and price (to 1e-9). */
export function verifyStop(
  expected: { side: OrderSide; qty: number; stopPrice: number },
  observed: ObservedStop | undefined,
): { ok: true } | { ok: false; reason: StopMismatch; detail: string } {
  if (!observed) return { ok: false, reason: 'missing', detail: 'the venue does not know the stop' };
  if (observed.status !== 'open')
    return { ok: false, reason: 'not_open', detail: `the venue reports the stop ${observed.status}` };
  if (observed.side !== expected.side)
    return { ok: false, reason: 'side', detail: `side ${observed.side}, expected ${expected.side}` };
  if (Math.abs(observed.qty - expected.qty) > 1e-9)
    return { ok: false, reason: 'qty', detail: `qty ${observed.qty}, expected ${expected.qty}` };
  if (Math.abs(observed.stopPrice - expected.stopPrice) > 1e-9)
    return {
      ok: false,
      reason: 'price',
      detail: `stop ${observed.stopPrice}, expected ${expected.stopPrice}`,
    };
  return { ok: true };
}
