import { type Kysely, sql } from 'kysely';

/** An override's default term (core DEFAULT_OVERRIDE_TTL_MS), frozen here as this migration applied it. */
const OVERRIDE_TTL_MS = 30 * 86_400_000;

/**
 * Overrides recorded before they expired get the default term from their creation, and a strategy
 * still live by one (its latest override at or after its lifecycle's `since`, with no expiry recorded)
 * gets that expiry in its lifecycle: without it the review never demotes it. Done once here, not read
 * back at every review, because a lifecycle written later without an expiry means the gate ended it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`UPDATE live_overrides SET expires_at = created_at + ${OVERRIDE_TTL_MS} WHERE expires_at IS NULL`.execute(
    db,
  );
  await sql`
    UPDATE bot_state AS b
    SET value = b.value || jsonb_build_object('overrideExpiresAt', o.expires_at)
    FROM (
      SELECT DISTINCT ON (strategy) strategy, created_at, expires_at
      FROM live_overrides
      ORDER BY strategy, created_at DESC, id DESC
    ) AS o
    WHERE b.key = 'readiness:lifecycle:' || o.strategy
      AND b.value ->> 'state' = 'live'
      AND b.value -> 'overrideExpiresAt' IS NULL
      AND o.created_at >= (b.value ->> 'since')::bigint
  `.execute(db);
}

/** Nothing to undo: the expiries filled are what the code now writes. */
export async function down(): Promise<void> {}
