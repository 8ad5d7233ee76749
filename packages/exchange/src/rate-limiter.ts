import type { Clock } from '@ballast/contracts';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spaces requests at least `intervalMs` apart (e.g. 1,200 weight/min on Binance ≈ one klines call
 * per 100 ms with headroom). Callers queue in order; time and sleeping are injected.
 */
export class IntervalLimiter {
  private nextFreeAt = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {}

  async acquire(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextFreeAt);
    this.nextFreeAt = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}
