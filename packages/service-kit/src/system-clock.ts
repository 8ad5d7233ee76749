import type { Clock } from '@ballast/contracts';

/** Wall-clock time for live and paper services; backtests use core's VirtualClock instead. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
