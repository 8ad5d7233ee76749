import { type AgentErrorReason, ANSWERED_REASONS } from '../agent-error';

/**
 * Counts an agent's calls in a row that ended on a reply the vendor delivered but we could not use
 * (ANSWERED_REASONS). The breaker ignores those (the vendor is up), so this is what notices a model
 * that answers every call unreadably: each is paid for, and a reviewer's rejects its candidate.
 */
export class UnusableStreak {
  private count = 0;

  constructor(private readonly threshold: number) {}

  /**
   * One call's outcome: `failure` is why it took its fallback, null when the model's verdict was used.
   * Returns the count when it reaches the threshold (once, until a usable reply starts over); a vendor
   * failure (timeout, 5xx) neither counts nor breaks the streak: the breaker has those.
   */
  record(failure: AgentErrorReason | null): number | undefined {
    if (failure === null) this.count = 0;
    else if (ANSWERED_REASONS.has(failure)) this.count++;
    else return undefined;
    return this.count === this.threshold ? this.count : undefined;
  }
}
