import type { OrderSide } from '@ballast/contracts';
import { roundDownToStep, roundUpToStep } from '../risk/precision';

/**
 * A limit price on the venue's tick, rounded to its passive side: a buy down, a sell up, so the order
 * never trades beyond the limit it was given. The venue refuses a price off the tick, and ccxt rounds
 * it to the nearest tick, which for a buy is half the time above its cap.
 */
export function limitPriceOnTick(side: OrderSide, price: number, tickSize: number): number {
  return side === 'buy' ? roundDownToStep(price, tickSize) : roundUpToStep(price, tickSize);
}
