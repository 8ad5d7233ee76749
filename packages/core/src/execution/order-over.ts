/** An order's states in which it can still fill: not yet sent, being sent, or resting on the venue. */
export const LIVE_ORDER_STATUSES: ReadonlySet<string> = new Set(['planned', 'sending', 'open']);

/**
 * Whether an order has nothing more to fill: its quantity is filled, or the venue closed it (filled,
 * cancelled, rejected, aborted). Only the last fill of such an order may leave dust; earlier ones leave
 * what the rest of the order sells. The orders service and risk's rebuild at start decide it alike.
 */
export function orderOver(status: string, filledQty: number, qty: number): boolean {
  return !LIVE_ORDER_STATUSES.has(status) || filledQty >= qty - 1e-12;
}
