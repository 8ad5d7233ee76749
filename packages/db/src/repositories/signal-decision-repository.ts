import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import { toNumber } from '../to-number';

/** A candidate's first decision (JSON as published) and when it was made. */
export interface KeptDecision {
  decision: unknown;
  decidedAt: number;
}

/** A kept decision with the candidate it was made for. */
export interface KeptCandidateDecision extends KeptDecision {
  candidateId: string;
}

/** The first decision made for each candidate (the service checks the JSON on load). */
export class SignalDecisionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The decision stored for the candidate, if one was made. */
  async first(candidateId: string): Promise<KeptDecision | undefined> {
    const row = await this.db
      .selectFrom('signal_decisions')
      .select(['decision', 'decided_at'])
      .where('candidate_id', '=', candidateId)
      .executeTakeFirst();
    return row && { decision: row.decision, decidedAt: toNumber(row.decided_at) };
  }

  /**
   * Stores the decision unless the candidate has one already: the first made wins. Returns the earlier
   * decision that stands instead, or undefined when this one was stored.
   */
  async keepFirst(
    candidateId: string,
    decision: unknown,
    decidedAt: number,
  ): Promise<KeptDecision | undefined> {
    const inserted = await this.db
      .insertInto('signal_decisions')
      .values({
        candidate_id: candidateId,
        decision: toJsonText(decision, `decision for ${candidateId}`),
        decided_at: decidedAt,
      })
      .onConflict((oc) => oc.column('candidate_id').doNothing())
      .returning('candidate_id')
      .executeTakeFirst();
    return inserted ? undefined : this.first(candidateId);
  }

  /**
   * Every decision made at or after `sinceMs` (epoch ms), oldest first: what a backtest replaying the
   * recorded verdicts loads once at its start.
   */
  async since(sinceMs: number): Promise<KeptCandidateDecision[]> {
    const rows = await this.db
      .selectFrom('signal_decisions')
      .select(['candidate_id', 'decision', 'decided_at'])
      .where('decided_at', '>=', sinceMs)
      .orderBy('decided_at')
      .orderBy('candidate_id')
      .execute();
    return rows.map((row) => ({
      candidateId: row.candidate_id,
      decision: row.decision,
      decidedAt: toNumber(row.decided_at),
    }));
  }
}
