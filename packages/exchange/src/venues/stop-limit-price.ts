import { stopLimitWorstFill } from '@ballast/core';
import type { StopRequest } from './stop-venue';

/**
 * The limit `offsetBps` beyond the stop, on the tick, rounded away from the market (further out): the
 * stop-limit's worst fill, which risk sizes entries by (core's stopLimitWorstFill). A sell stop guards a long.
 */
export function stopLimitPrice(
  request: Pick<StopRequest, 'side' | 'stopPrice'>,
  offsetBps: number,
  tickSize: number,
): number {
  return stopLimitWorstFill(
    request.side === 'sell' ? 'long' : 'short',
    request.stopPrice,
    offsetBps,
    tickSize,
  );
}
