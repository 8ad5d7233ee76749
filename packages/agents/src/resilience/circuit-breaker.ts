import type { Clock } from '@ballast/contracts';

export type BreakerState = 'closed' | 'half_open' | 'open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays open before letting one probe through. */
  readonly openMs: number;
}

export const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 3, openMs: 5 * 60_000 };

/**
 * Closed → (N consecutive failures) → open → (openMs later) half-open: exactly one probe may pass;
 * its success closes the breaker, its failure reopens it for another openMs.
 */
export class CircuitBreaker {
  #failures = 0;
  #openedAt: number | undefined;
  #probeInFlight = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: CircuitBreakerOptions = DEFAULT_BREAKER,
  ) {}

  state(): BreakerState {
    if (this.#openedAt === undefined) return 'closed';
    return this.clock.now() - this.#openedAt >= this.options.openMs ? 'half_open' : 'open';
  }

  /** Whether a request may be sent now; in half-open this admits the single probe. */
  tryAcquire(): boolean {
    const state = this.state();
    if (state === 'closed') return true;
    if (state === 'open' || this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  onSuccess(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
    this.#probeInFlight = false;
  }

  onFailure(): void {
    this.#failures += 1;
    const probeFailed = this.#probeInFlight;
    this.#probeInFlight = false;
    if (probeFailed || this.#failures >= this.options.failureThreshold) this.#openedAt = this.clock.now();
  }
}

/** The `ballast_agent_breaker_state` gauge value. */
export function breakerGaugeValue(state: BreakerState): number {
  return state === 'closed' ? 0 : state === 'half_open' ? 1 : 2;
}
