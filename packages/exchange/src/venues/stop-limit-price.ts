import { roundDownToStep, roundUpToStep } from '@ballast/core';
import type { StopRequest } from './stop-venue';

/** The limit `offsetBps` beyond the stop, on the tick, rounded away from the market (further out). */
export function stopLimitPrice(
  request: Pick<StopRequest, 'side' | 'stopPrice'>,
  offsetBps: number,
  tickSize: number,
): number {
  const factor = offsetBps / 10_000;
  return request.side === 'sell'
    ? roundDownToStep(request.stopPrice * (1 - factor), tickSize)
    : roundUpToStep(request.stopPrice * (1 + factor), tickSize);
}
