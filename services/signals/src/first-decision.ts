import { type Clock, type FeatureVector, type SignalCandidate, SignalDecision } from '@ballast/contracts';
import type { SignalDecisionRepository } from '@ballast/db';

/** Decides one candidate (the agents, or the caller's decision step). */
export type DecideFor = (
  candidate: SignalCandidate,
  features: FeatureVector,
  correlationId: string,
) => Promise<SignalDecision>;

export interface FirstDecisionDeps {
  readonly decide: DecideFor;
  readonly store: Pick<SignalDecisionRepository, 'first' | 'keepFirst'>;
  readonly clock: Clock;
}

/** A candidate's decision, and whether it was made before this delivery (then it is not made again). */
export type Decided = { readonly decision: SignalDecision; readonly earlier: boolean };

/**
 * The first decision made for a candidate, stored before it is published, is its only decision: a
 * candidate delivered again (a later step of its cycle failed, or the service restarted) gets the
 * stored one back and the agents are not asked again. Asking again costs another paid call and may
 * answer otherwise; past the bus's duplicate window, another answer would go out as a second decision.
 */
export class FirstDecision {
  constructor(private readonly deps: FirstDecisionDeps) {}

  async decide(candidate: SignalCandidate, features: FeatureVector, correlationId: string): Promise<Decided> {
    const stored = await this.deps.store.first(candidate.id);
    if (stored !== undefined) return { decision: SignalDecision.parse(stored), earlier: true };
    const made = await this.deps.decide(candidate, features, correlationId);
    const earlier = await this.deps.store.keepFirst(candidate.id, made, this.deps.clock.now());
    return earlier === undefined
      ? { decision: made, earlier: false }
      : { decision: SignalDecision.parse(earlier), earlier: true };
  }
}
