export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base·2^attempt)).
 * Jitter spreads reconnecting clients apart; the cap bounds the wait after a long outage.
 * `random01` is injected so tests and replays are deterministic.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions, random01: number): number {
  // 2^31 already exceeds any sane cap; clamping the exponent avoids Infinity.
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 31));
  return Math.floor(ceiling * Math.min(Math.max(random01, 0), 1));
}

export interface BackoffStateOptions extends BackoffOptions {
  /** A connection that lasted this long counts as healthy: the next failure starts from attempt 0. */
  stableMs: number;
}

/** Attempt counter for one connection; times are passed in, never read. */
export class BackoffState {
  private attempts = 0;
  private connectedAt: number | null = null;

  constructor(
    private readonly options: BackoffStateOptions,
    private readonly random01: () => number,
  ) {}

  get attempt(): number {
    return this.attempts;
  }

  connected(now: number): void {
    this.connectedAt = now;
  }

  /** Call when the connection drops or an attempt fails; returns how long to wait before retrying. */
  disconnected(now: number): number {
    if (this.connectedAt !== null && now - this.connectedAt >= this.options.stableMs) this.attempts = 0;
    this.connectedAt = null;
    const delay = reconnectDelay(this.attempts, this.options, this.random01());
    this.attempts++;
    return delay;
  }
}
