import { type SignalCandidate, SignalDecision } from '@ballast/contracts';
import { type Decide, unaskedRejection } from '@ballast/core';

/** The rejection detail of a candidate no recorded decision was found for. */
export const NO_RECORDED_VERDICT = 'no_recorded_verdict';

/** One kept decision as the signal_decisions table holds it (the JSON is checked on load). */
export interface RecordedDecisionRow {
  readonly candidateId: string;
  readonly decision: unknown;
}

/** How much of a run's decisions were replayed from the record (`meta.recorded_verdicts`). */
export interface RecordedVerdictsSummary {
  /** Decisions the database held from the run's start on (rows failing the schema not included). */
  rows: number;
  /** Rows skipped because they fail the decision schema. */
  unreadable: number;
  /** Candidates decided by their recorded decision. */
  hits: number;
  /** Of the hits, the ones the record approved. */
  approved: number;
  /** Candidates with no recorded decision: rejected, as an unavailable reviewer rejects (ADR 15). */
  misses: number;
  /**
   * Hits whose recorded candidate had another entry, stop or take-profits than the run's (another
   * strategy config, other candles): the verdict was given on that one, and is applied to the run's.
   */
  candidate_differs: number;
}

/**
 * The backtest's `agents: 'recorded'`: each candidate is decided as the signals service decided it when
 * it ran (its first decision, kept in signal_decisions under the candidate's id, which is derived from
 * strategy, venue, symbol, timeframe, bar and side, so a replay of the same bar finds it). The recorded
 * approval, size multiplier, rejection and agents' verdicts are applied to the run's own candidate; a
 * candidate the record does not hold is rejected with `no_recorded_verdict`, and counted.
 */
export class RecordedVerdicts {
  private readonly byCandidate = new Map<string, SignalDecision>();
  private readonly unreadable: number;
  private readonly hits = new Set<string>();
  private readonly approved = new Set<string>();
  private readonly misses = new Set<string>();
  private readonly differs = new Set<string>();

  constructor(rows: readonly RecordedDecisionRow[]) {
    let unreadable = 0;
    for (const row of rows) {
      const parsed = SignalDecision.safeParse(row.decision);
      if (parsed.success && parsed.data.candidate.id === row.candidateId)
        this.byCandidate.set(row.candidateId, parsed.data);
      else unreadable++;
    }
    this.unreadable = unreadable;
  }

  /** The decision step handed to the signals service. */
  readonly decide: Decide = (candidate) => {
    const recorded = this.byCandidate.get(candidate.id);
    if (!recorded) {
      this.misses.add(candidate.id);
      return unaskedRejection(candidate, { reason: 'reviewer_failed', detail: NO_RECORDED_VERDICT });
    }
    this.hits.add(candidate.id);
    if (recorded.approved) this.approved.add(candidate.id);
    if (!sameProposal(recorded.candidate, candidate)) this.differs.add(candidate.id);
    return { ...recorded, candidate };
  };

  summary(): RecordedVerdictsSummary {
    return {
      rows: this.byCandidate.size,
      unreadable: this.unreadable,
      hits: this.hits.size,
      approved: this.approved.size,
      misses: this.misses.size,
      candidate_differs: this.differs.size,
    };
  }
}

function sameProposal(a: SignalCandidate, b: SignalCandidate): boolean {
  return (
    a.entry === b.entry &&
    a.stop === b.stop &&
    a.takeProfits.length === b.takeProfits.length &&
    a.takeProfits.every((tp, i) => tp === b.takeProfits[i])
  );
}
