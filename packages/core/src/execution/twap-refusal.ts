import { sumLots } from './lot-units';
import type { OrderFilterFailure } from './order-filters';

/** What becomes of a TWAP slice the venue refused for its size (min_notional or precision). */
export type TwapRefusal =
  /** Its quantity joins the next planned slice of the TWAP, which then carries `qty`. */
  | { action: 'fold'; into: string; qty: number }
  /** The last slice goes out once more: it passes the venue's filters at the touch now. */
  | { action: 'retry' }
  /** The TWAP ends with the slice's quantity unfilled. */
  | { action: 'end'; unfilledQty: number };

/** Refusals a slice's size brought on, which a larger slice, or a later touch, does not meet. */
export function isSizeRefusal(reason: string): boolean {
  return reason === 'min_notional' || reason === 'precision';
}

/** The detail a last slice sent once more carries: a second refusal ends the TWAP. */
export const LAST_ATTEMPT = 'one more attempt after the venue refused it';

export function isLastAttempt(detail: string | null): boolean {
  return detail?.startsWith(LAST_ATTEMPT) ?? false;
}

/**
 * A TWAP slice refused for its size is not lost: its quantity is folded into the next planned slice.
 * The last slice is sent once more only when it passes the venue's filters at the touch now (Binance
 * judged the notional on its 5-minute average price, which may have come back); a second refusal, or
 * one it would fail again, ends the TWAP with that quantity unfilled.
 */
export function afterSizeRefusal(input: {
  refused: { qty: number; detail: string | null };
  next: { clientOrderId: string; qty: number } | undefined;
  /** The venue filter the refused slice fails at the touch now; null: it passes. */
  failureNow: OrderFilterFailure | null;
}): TwapRefusal {
  const { refused, next, failureNow } = input;
  if (next) return { action: 'fold', into: next.clientOrderId, qty: sumLots([next.qty, refused.qty]) };
  if (failureNow === null && !isLastAttempt(refused.detail)) return { action: 'retry' };
  return { action: 'end', unfilledQty: refused.qty };
}
