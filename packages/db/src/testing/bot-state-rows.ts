import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * A bot_state row as an earlier release left it: JSON text written in SQL, not through the code under
 * test, so a test proves that code still reads what is already stored.
 */
export async function writeBotStateRow(
  db: Kysely<Database>,
  key: string,
  json: string,
  updatedAt = new Date(0),
): Promise<void> {
  await sql`insert into bot_state (key, value, updated_at) values (${key}, ${json}::jsonb, ${updatedAt})
    on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`.execute(db);
}

/** The row at `key` as stored: its JSON value and the epoch ms of its last write. */
export async function readBotStateRow(
  db: Kysely<Database>,
  key: string,
): Promise<{ value: unknown; updatedAt: number } | undefined> {
  const row = await db
    .selectFrom('bot_state')
    .select(['value', 'updated_at'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row && { value: row.value, updatedAt: row.updated_at.getTime() };
}
