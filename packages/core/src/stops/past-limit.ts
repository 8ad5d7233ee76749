import type { PositionSide } from '@ballast/contracts';

/**
 * True when a printed price is beyond a triggered stop-limit's limit: the limit cannot fill there, so
 * the stop is cancelled and what it did not fill is closed at market.
 */
export function pastLimit(side: PositionSide, limitPrice: number, price: number): boolean {
  return side === 'long' ? price < limitPrice : price > limitPrice;
}
