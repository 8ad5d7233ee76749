import type { Clock } from '@ballast/contracts';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { toJsonText } from '../json-text';

/** Anything that turns unknown JSON into a T or throws; a zod schema is one. */
export interface Parser<T> {
  parse(input: unknown): T;
}

export interface StoredState<T> {
  readonly value: T;
  /** Epoch ms of the last write, from the injected clock. */
  readonly updatedAt: number;
}

/** Named JSON values that must survive a restart; reads are checked against the caller's schema. */
export class BotStateRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async set(key: string, value: unknown): Promise<void> {
    const json = toJsonText(value, `bot_state "${key}"`);
    const updatedAt = new Date(this.clock.now());
    await this.db
      .insertInto('bot_state')
      .values({ key, value: json, updated_at: updatedAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: updatedAt }))
      .execute();
  }

  /**
   * Compare-and-set: writes `value` only while the stored value still holds every field of `expected`
   * (null: only while the key is unset), so a decision taken on a stale read never overwrites a newer
   * one. Whether it was written.
   */
  async setIf(
    key: string,
    value: unknown,
    expected: Readonly<Record<string, unknown>> | null,
  ): Promise<boolean> {
    const json = toJsonText(value, `bot_state "${key}"`);
    const updatedAt = new Date(this.clock.now());
    if (expected === null) {
      const inserted = await this.db
        .insertInto('bot_state')
        .values({ key, value: json, updated_at: updatedAt })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    const held = toJsonText(expected, `bot_state "${key}" expected`);
    const updated = await this.db
      .updateTable('bot_state')
      .set({ value: json, updated_at: updatedAt })
      .where('key', '=', key)
      .where(sql<boolean>`value @> ${held}::jsonb`)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** The stored value parsed by `parser`, or undefined when the key was never set. */
  async get<T>(key: string, parser: Parser<T>): Promise<StoredState<T> | undefined> {
    const row = await this.db
      .selectFrom('bot_state')
      .select(['value', 'updated_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    return { value: parseStored(key, row.value, parser), updatedAt: row.updated_at.getTime() };
  }

  /** Every key set that starts with `prefix`, sorted. */
  async keys(prefix: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('bot_state')
      .select('key')
      .where('key', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`)
      .orderBy('key')
      .execute();
    return rows.map((r) => r.key);
  }
}

function parseStored<T>(key: string, value: unknown, parser: Parser<T>): T {
  try {
    return parser.parse(value);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DbError('invalid_state', `bot_state "${key}" does not match the expected schema: ${why}`);
  }
}
