import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';

/** The first decision made for each candidate (JSON as published; the service checks it on load). */
export class SignalDecisionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The decision stored for the candidate, if one was made. */
  async first(candidateId: string): Promise<unknown | undefined> {
    const row = await this.db
      .selectFrom('signal_decisions')
      .select('decision')
      .where('candidate_id', '=', candidateId)
      .executeTakeFirst();
    return row?.decision;
  }

  /**
   * Stores the decision unless the candidate has one already: the first made wins. Returns the earlier
   * decision that stands instead, or undefined when this one was stored.
   */
  async keepFirst(candidateId: string, decision: unknown, decidedAt: number): Promise<unknown | undefined> {
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
}
