import { type Clock, type FeatureVector, type SignalCandidate, SignalDecision } from '@ballast/contracts';
import type { KeptDecision, SignalDecisionRepository } from '@ballast/db';

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

/**
 * A candidate's decision, when it was made, and whether that was before this delivery (then it is not
 * made again, and it goes out stamped with its own time: risk judges its age from that).
 */
export type Decided = {
  readonly decision: SignalDecision;
  readonly decidedAt: number;
  readonly earlier: boolean;
};

/**
 * The first decision made for a candidate, stored before it is published, is its only decision: a
 * candidate delivered again (a later step of its cycle failed, or the service restarted) gets the
 * stored one back and the agents are not asked again. Asking again costs another paid call and may
 * answer otherwise; past the bus's duplicate window, another answer would go out as a second decision.
 */
export class FirstDecision {
  /** Decisions being made, by candidate: one asked for again meanwhile is not made twice. */
  private readonly deciding = new Map<string, Promise<Decided>>();
  /**
   * Decisions made whose store failed (a database outage), by candidate, the oldest forgotten past
   * MAX_UNSTORED: the retry stores the one made rather than ask the agents again, paid, maybe otherwise.
   */
  private readonly unstored = new Map<string, Made>();

  constructor(private readonly deps: FirstDecisionDeps) {}

  /**
   * `step` replaces the usual decision step for this candidate (a strategy switched off). A candidate
   * asked for while its decision is still being made (its handler failed on a publish and was retried,
   * or an owed cycle was retried, while the agents answer) gets that decision, as one made before: the
   * agents are not asked twice, nothing being stored yet for the store to find.
   */
  async decide(
    candidate: SignalCandidate,
    features: FeatureVector,
    correlationId: string,
    step: DecideFor = this.deps.decide,
  ): Promise<Decided> {
    const inFlight = this.deciding.get(candidate.id);
    if (inFlight !== undefined) return { ...(await inFlight), earlier: true };
    const deciding = this.decideOnce(candidate, features, correlationId, step);
    this.deciding.set(candidate.id, deciding);
    try {
      return await deciding;
    } finally {
      this.deciding.delete(candidate.id);
    }
  }

  private async decideOnce(
    candidate: SignalCandidate,
    features: FeatureVector,
    correlationId: string,
    step: DecideFor,
  ): Promise<Decided> {
    const stored = await this.deps.store.first(candidate.id);
    // A store that failed after it committed (its connection lost) kept the decision all the same.
    if (stored !== undefined) this.unstored.delete(candidate.id);
    if (stored !== undefined) return earlierDecision(stored);
    const made = await this.made(candidate, features, correlationId, step);
    let earlier: KeptDecision | undefined;
    try {
      earlier = await this.deps.store.keepFirst(candidate.id, made.decision, made.decidedAt);
    } catch (err) {
      this.keepUnstored(candidate.id, made);
      throw err;
    }
    this.unstored.delete(candidate.id);
    return earlier === undefined ? { ...made, earlier: false } : earlierDecision(earlier);
  }

  /**
   * The decision made before whose store failed, when the usual step decides again (never published:
   * it goes out stamped with when it was made); else the step's, now. Another step (a strategy switched
   * off since) decides afresh.
   */
  private async made(
    candidate: SignalCandidate,
    features: FeatureVector,
    correlationId: string,
    step: DecideFor,
  ): Promise<Made> {
    const kept = this.unstored.get(candidate.id);
    this.unstored.delete(candidate.id);
    if (kept !== undefined && step === this.deps.decide) return kept;
    const decision = await step(candidate, features, correlationId);
    return { decision, decidedAt: this.deps.clock.now() };
  }

  private keepUnstored(candidateId: string, made: Made): void {
    this.unstored.set(candidateId, made);
    const oldest = this.unstored.keys().next().value;
    if (this.unstored.size > MAX_UNSTORED && oldest !== undefined) this.unstored.delete(oldest);
  }
}

type Made = Omit<Decided, 'earlier'>;

/** Unstored decisions kept for their retry: far more than a database outage leaves waiting. */
const MAX_UNSTORED = 1_024;

function earlierDecision(kept: KeptDecision): Decided {
  return { decision: SignalDecision.parse(kept.decision), decidedAt: kept.decidedAt, earlier: true };
}
