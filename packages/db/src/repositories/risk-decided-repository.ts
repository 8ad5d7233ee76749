import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { toJsonText } from '../json-text';
import { toNumber } from '../to-number';

/** A decision as stored: its intent, what risk keeps of it (JSON) and when it is forgotten. */
export type StoredDecision = { intentId: string; decided: unknown; expiresAt: number };

/** Risk's decided intents per venue, one row each, forgotten once expired. */
export class RiskDecidedRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The decisions not expired by `now`, oldest expiry first. */
  async live(venue: string, now: number): Promise<StoredDecision[]> {
    const rows = await this.db
      .selectFrom('risk_decided_intents')
      .selectAll()
      .where('venue', '=', venue)
      .where('expires_at', '>', now)
      .orderBy('expires_at')
      .execute();
    return rows.map((r) => ({
      intentId: r.intent_id,
      decided: r.decided,
      expiresAt: toNumber(r.expires_at),
    }));
  }

  /** Writes these decisions (new or changed) and forgets those expired by `now`, in one transaction. */
  async save(venue: string, changed: readonly StoredDecision[], now: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (changed.length > 0)
        await tx
          .insertInto('risk_decided_intents')
          .values(
            changed.map((d) => ({
              venue,
              intent_id: d.intentId,
              decided: toJsonText(d.decided, `decision of ${d.intentId}`),
              expires_at: d.expiresAt,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['venue', 'intent_id']).doUpdateSet((eb) => ({
              decided: eb.ref('excluded.decided'),
              expires_at: eb.ref('excluded.expires_at'),
            })),
          )
          .execute();
      await tx
        .deleteFrom('risk_decided_intents')
        .where('venue', '=', venue)
        .where('expires_at', '<=', now)
        .execute();
    });
  }

  /** Forgets every decision on the venue (a new deployment's start; tests). */
  async clear(venue: string): Promise<void> {
    await this.db.deleteFrom('risk_decided_intents').where('venue', '=', venue).execute();
  }
}
