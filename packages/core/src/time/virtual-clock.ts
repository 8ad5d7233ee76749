import type { Clock } from '@ballast/contracts';

/** Why a virtual clock refused a change; a backtest that rewinds time has a bug upstream. */
export type ClockErrorReason = 'backwards' | 'invalid_time';

export class ClockError extends Error {
  override readonly name = 'ClockError';
  constructor(
    readonly reason: ClockErrorReason,
    readonly current: number,
    readonly requested: number,
  ) {
    super(
      reason === 'backwards'
        ? `virtual clock cannot go backwards: now ${current}, requested ${requested}`
        : `virtual clock needs a finite, non-negative time: got ${requested}`,
    );
  }
}

/**
 * The clock a backtest or test drives by hand. It only moves forward, so anything that
 * orders events by time (ids, daily resets, pauses) sees the same monotonic time as live.
 */
export class VirtualClock implements Clock {
  #now: number;

  constructor(startMs = 0) {
    if (!Number.isFinite(startMs) || startMs < 0) throw new ClockError('invalid_time', 0, startMs);
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Jumps to `ms`; staying at the same time is allowed, going back is not. */
  set(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new ClockError('invalid_time', this.#now, ms);
    if (ms < this.#now) throw new ClockError('backwards', this.#now, ms);
    this.#now = ms;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new ClockError('invalid_time', this.#now, this.#now + ms);
    this.set(this.#now + ms);
  }
}
