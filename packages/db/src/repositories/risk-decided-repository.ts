import type { Kysely, QueryCreator } from 'kysely';
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

  /**
   * Writes these decisions (new or changed) and forgets those expired by `now`, atomically. When every
   * changed decision outlives `now` (a new decision always does), the write and the forgetting touch
   * different rows and go as one statement: one round trip instead of four (BEGIN, insert, delete,
   * COMMIT), on every decision risk makes.
   */
  async save(venue: string, changed: readonly StoredDecision[], now: number): Promise<void> {
    if (changed.length === 0) return this.forgetExpired(this.db, venue, now);
    if (changed.every((d) => d.expiresAt > now)) return this.writeLive(venue, changed, now);
    await this.db.transaction().execute(async (tx) => {
      await upsertRows(tx, venue, changed).execute();
      await this.forgetExpired(tx, venue, now);
    });
  }

  /** Changed decisions all live at `now`: the expired rows of others are deleted in the same statement. */
  private async writeLive(venue: string, changed: readonly StoredDecision[], now: number): Promise<void> {
    const ids = changed.map((d) => d.intentId);
    const forgetting = this.db.with('forgotten', (db) =>
      db
        .deleteFrom('risk_decided_intents')
        .where('venue', '=', venue)
        .where('expires_at', '<=', now)
        .where('intent_id', 'not in', ids),
    );
    await upsertRows(forgetting, venue, changed).execute();
  }

  private async forgetExpired(db: Kysely<Database>, venue: string, now: number): Promise<void> {
    await db
      .deleteFrom('risk_decided_intents')
      .where('venue', '=', venue)
      .where('expires_at', '<=', now)
      .execute();
  }

  /** Forgets every decision on the venue (a new deployment's start; tests). */
  async clear(venue: string): Promise<void> {
    await this.db.deleteFrom('risk_decided_intents').where('venue', '=', venue).execute();
  }
}

/** The insert that writes each changed decision over its row, from `db` or a `with` of it. */
function upsertRows<DB extends Database>(
  db: QueryCreator<DB>,
  venue: string,
  changed: readonly StoredDecision[],
) {
  return (db as unknown as QueryCreator<Database>)
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
    );
}
